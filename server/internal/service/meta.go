package service

import (
	"context"
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

// watchRepeat is how often WatchCluster repeats the current view when
// nothing changed, so a client can tell a silent stream from a live one.
const watchRepeat = time.Second

// clusterIDWait bounds how long a watch waits for a freshly bootstrapped
// cluster to record its id before sending the header without one (a node
// restarted with its data knows its id at once, from its data dir).
const clusterIDWait = 2 * time.Second

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
func (m *metaService) WatchCluster(_ *norikvpb.ClusterView, stream norikvpb.Meta_WatchClusterServer) error {
	ctx := stream.Context()
	if err := m.cannotFollow(); err != nil {
		return err
	}
	idCtx, cancel := context.WithTimeout(ctx, clusterIDWait)
	id, _ := m.s.n.WaitClusterID(idCtx)
	cancel()
	if id != "" {
		if err := stream.SendHeader(metadata.Pairs(ClusterIDHeader, id)); err != nil {
			return err
		}
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
				return err
			}
			// A heartbeat: the view this watcher already has (same epoch).
			if err := stream.Send(m.s.views.get(st)); err != nil {
				return err
			}
		}
	}
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
