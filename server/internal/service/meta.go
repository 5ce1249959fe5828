package service

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// ClusterIDHeader is the WatchCluster response header naming the cluster
// (PROTOCOL.md §4): a client that sees another id knows the cluster was
// replaced (restarted without its data) and drops what it cached.
const ClusterIDHeader = "x-norikv-cluster-id"

// GroupsHeader is the WatchCluster response header giving the cluster's
// replication group count (decimal), sent with ClusterIDHeader. It is our
// extension (not in PROTOCOL.md): our client draws idempotency keys owned
// by the write's own group with it (idem.go), saving the claim in another
// group. Groups are contiguous shard ranges: group = shard*groups/shards.
const GroupsHeader = "x-norikv-groups"

// watchRepeat is how often WatchCluster repeats the current view when
// nothing changed, so a client can tell a silent stream from a live one.
const watchRepeat = time.Second

// clusterIDWait bounds how long a watch waits for a freshly bootstrapped
// cluster to record its id before sending the header without one (a node
// restarted with its data knows its id at once, from its data dir).
const clusterIDWait = 2 * time.Second

// NotCurrentTrailer is the WatchCluster trailer of a stream that a node ended
// because its view is not kept current (it cannot write its Raft log, or it
// has not heard from the metadata group's leader): its value says why. Our
// client reads it to tell "this node is up but behind" from "this node
// failed" (client/watchstream.go); other clients see UNAVAILABLE.
const NotCurrentTrailer = "x-norikv-view-not-current"

type metaService struct {
	norikvpb.UnimplementedMetaServer
	s *Server
}

// WatchCluster sends the cluster id header, the current view at once, then
// each later epoch, repeating the current view about every second while
// nothing changes. The epoch a watcher sees never goes backwards: views
// come from this node's metadata replica, applied in log order.
//
// A node that cannot write its Raft log (a full disk) cannot follow the
// cluster: its view stays as it was while the others move on, and
// repeating it every second told watchers it was current (a console kept
// showing the full node leading the groups it had handed over). Such a
// node ends the stream, or refuses it, with UNAVAILABLE, so watchers move
// to another node; so does a node that has not heard from the metadata
// group's leader for two heartbeat timeouts (cut off from it by the
// network), for the same reason, until it hears one again.
//
// A new stream on such a node still gets the node's view first, then the
// end (UNAVAILABLE, NotCurrentTrailer saying why): refusing it outright
// left a client with nothing when this node was the only one up (two of
// three nodes down: `status` failed to connect at all instead of naming
// the down nodes). A client that has a newer view keeps it (epochs never
// go back) and looks for a node that hears the leader.
func (m *metaService) WatchCluster(_ *norikvpb.ClusterView, stream norikvpb.Meta_WatchClusterServer) error {
	ctx := stream.Context()
	if err := m.cannotFollow(); err != nil {
		st, _ := m.s.n.Meta()
		// The reason in the header too, which the view comes with: a
		// client then knows before it takes the view (client/watch.go).
		_ = stream.SetHeader(metadata.Pairs(NotCurrentTrailer, status.Convert(err).Message()))
		// No wait for an id the node does not know yet: it cannot
		// learn one while it cannot follow.
		if serr := m.sendClusterID(ctx, stream, 0); serr != nil {
			return serr
		}
		if serr := stream.Send(m.s.views.get(st)); serr != nil {
			return serr
		}
		return m.notCurrent(stream, err)
	}
	if err := m.sendClusterID(ctx, stream, clusterIDWait); err != nil {
		return err
	}
	repeat := time.NewTicker(watchRepeat)
	defer repeat.Stop()
	sent := false
	var last uint64
	for {
		st, changed := m.s.n.Meta()
		if !sent || st.Epoch > last {
			if err := stream.Send(m.s.views.get(st)); err != nil {
				return err
			}
			sent, last = true, st.Epoch
			repeat.Reset(watchRepeat)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-m.s.done:
			return nil
		case <-changed:
		case <-repeat.C:
			if err := m.cannotFollow(); err != nil {
				return m.notCurrent(stream, err)
			}
			// A heartbeat: the view this watcher already has (same epoch).
			if err := stream.Send(m.s.views.get(st)); err != nil {
				return err
			}
		}
	}
}

// sendClusterID sends the header: the group count, and the cluster id,
// waiting up to wait for a freshly bootstrapped cluster to record it
// (without one when it is not known by then).
func (m *metaService) sendClusterID(ctx context.Context, stream norikvpb.Meta_WatchClusterServer, wait time.Duration) error {
	idCtx, cancel := context.WithTimeout(ctx, wait)
	id, _ := m.s.n.WaitClusterID(idCtx)
	cancel()
	md := metadata.Pairs(GroupsHeader, strconv.Itoa(m.s.n.Layout().Groups))
	if id != "" {
		md.Set(ClusterIDHeader, id)
	}
	return stream.SendHeader(md)
}

// notCurrent ends a stream whose node's view is not kept current: err
// (cannotFollow's), with NotCurrentTrailer naming the reason.
func (m *metaService) notCurrent(stream norikvpb.Meta_WatchClusterServer, err error) error {
	stream.SetTrailer(metadata.Pairs(NotCurrentTrailer, status.Convert(err).Message()))
	return err
}

// cannotFollow is the error that ends a watch on a node that cannot write
// its Raft log or has not heard from the metadata group's leader for a
// while (cut off from it: node/metacontact.go), nil otherwise.
func (m *metaService) cannotFollow() error {
	if reason := m.s.n.StorageError(); reason != "" {
		return status.Errorf(codes.Unavailable, "%s cannot follow the cluster: it cannot write its Raft log (%s), so its view "+
			"of the cluster is not kept current: watch another node", m.s.n.Self().ID, reason)
	}
	if reason := m.s.n.MetaCutOff(); reason != "" {
		return status.Errorf(codes.Unavailable, "%s cannot follow the cluster: %s, so its view "+
			"of the cluster is not kept current: watch another node", m.s.n.Self().ID, reason)
	}
	return nil
}
