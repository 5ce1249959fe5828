package service

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/node"
)

// Headers of a forwarded Vector call (PROTOCOL.md §4 names only leader-hint;
// these are our additions, ignored by clients that do not know them).
const (
	// ForwardedKey marks a call one node forwarded to another (its value is
	// the forwarding node's id): the receiver never forwards it again, so a
	// call makes at most one hop even while leadership moves.
	ForwardedKey = "x-norikv-forwarded-by"
	// ServedByKey is the reply header naming the node that served the call.
	ServedByKey = "served-by"
	// LeaderKey is the reply header carrying the group leader's client
	// address, so a client that reached a follower learns where to go next.
	LeaderKey = "x-norikv-leader"
)

// forwardTimeout bounds a forwarded call whose caller set no deadline.
const forwardTimeout = 30 * time.Second

// forwardReplies makes the empty reply of every forwardable method.
var forwardReplies = map[string]func() proto.Message{
	norikvpb.Vector_CreateIndex_FullMethodName: func() proto.Message { return &norikvpb.CreateVectorIndexResponse{} },
	norikvpb.Vector_DropIndex_FullMethodName:   func() proto.Message { return &norikvpb.DropVectorIndexResponse{} },
	norikvpb.Vector_Insert_FullMethodName:      func() proto.Message { return &norikvpb.VectorInsertResponse{} },
	norikvpb.Vector_Delete_FullMethodName:      func() proto.Message { return &norikvpb.VectorDeleteResponse{} },
	norikvpb.Vector_Search_FullMethodName:      func() proto.Message { return &norikvpb.VectorSearchResponse{} },
	norikvpb.Vector_Get_FullMethodName:         func() proto.Message { return &norikvpb.VectorGetResponse{} },
	// The batch insert of our extension service goes where Vector writes go.
	consolepb.Console_VectorInsertBatch_FullMethodName: func() proto.Message { return &consolepb.VectorInsertBatchResponse{} },
}

// forwardError is what a handler returns when the call belongs to another
// node; the interceptor then forwards the request unchanged.
type forwardError struct {
	group      int
	leaderID   string
	leaderAddr string
}

func (e *forwardError) Error() string {
	return fmt.Sprintf("forward to the leader of group %d (%s at %s)", e.group, e.leaderID, e.leaderAddr)
}

// forwarded reports whether another node already forwarded this call here.
func forwarded(ctx context.Context) bool {
	md, _ := metadata.FromIncomingContext(ctx)
	return len(md.Get(ForwardedKey)) > 0
}

// forwardTarget decides whether a Vector call for group g goes to its
// leader: when this node does not lead g (and cannot serve a stale read
// from its own replica), and the call has not been forwarded already. It
// waits a little for a leader during an election. nil means serve here
// (which answers NOT_LEADER if this node still cannot).
func (s *Server) forwardTarget(ctx context.Context, g int, level node.Consistency) error {
	if s.n.IsLeader(g) || forwarded(ctx) || (level == node.Stale && s.n.Group(g) != nil) {
		return nil
	}
	id, addr, ok := s.n.WaitLeader(ctx, g)
	if !ok || id == s.n.ID() {
		return nil
	}
	return &forwardError{group: g, leaderID: id, leaderAddr: addr}
}

// forward sends a call a handler refused with a forwardError to the
// leader, with the caller's metadata and deadline (ctx carries it), and
// relays the leader's reply, headers and trailers.
func (s *Server) forward(ctx context.Context, fullMethod string, req any, fe *forwardError) (any, error) {
	newReply := forwardReplies[fullMethod]
	if newReply == nil {
		return nil, status.Errorf(codes.Internal, "%s cannot be forwarded", fullMethod)
	}
	cc, err := s.peers.conn(fe.leaderAddr)
	if err != nil {
		return nil, toStatus(ctx, &node.NotLeaderError{Group: fe.group, Hint: fe.leaderAddr})
	}
	in, _ := metadata.FromIncomingContext(ctx)
	out := metadata.MD{}
	for k, v := range in {
		if passable(k) {
			out[k] = v
		}
	}
	out.Set(ForwardedKey, s.n.ID())
	if _, ok := ctx.Deadline(); !ok {
		// A caller without a deadline still must not wait forever on a
		// leader that stopped answering.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, forwardTimeout)
		defer cancel()
	}
	reply := newReply()
	var hdr, trl metadata.MD
	err = cc.Invoke(metadata.NewOutgoingContext(ctx, out), fullMethod, req, reply, grpc.Header(&hdr), grpc.Trailer(&trl))
	relay := metadata.MD{}
	for k, v := range hdr {
		if passable(k) {
			relay[k] = v
		}
	}
	relay.Set(ServedByKey, fe.leaderID)
	relay.Set(LeaderKey, fe.leaderAddr)
	_ = grpc.SetHeader(ctx, relay)
	if tr := passableMD(trl); len(tr) > 0 {
		_ = grpc.SetTrailer(ctx, tr)
	}
	if _, isStatus := status.FromError(err); err != nil && !isStatus {
		return nil, toStatus(ctx, err)
	}
	if err != nil {
		return nil, err
	}
	return reply, nil
}

// passable reports whether a metadata key may be copied between calls:
// not HTTP/2 pseudo-headers or gRPC's own transport headers.
func passable(k string) bool {
	return !strings.HasPrefix(k, ":") && !strings.HasPrefix(k, "grpc-") &&
		k != "content-type" && k != "user-agent" && k != "te"
}

func passableMD(md metadata.MD) metadata.MD {
	out := metadata.MD{}
	for k, v := range md {
		if passable(k) {
			out[k] = v
		}
	}
	return out
}

// peerConns are this node's client connections to other nodes' gRPC
// ports, one per address, kept until the server stops.
type peerConns struct {
	creds credentials.TransportCredentials
	mu    sync.Mutex
	conns map[string]*grpc.ClientConn
}

func newPeerConns(tlsCfg *tls.Config) *peerConns {
	creds := insecure.NewCredentials()
	if tlsCfg != nil {
		creds = credentials.NewTLS(tlsCfg)
	}
	return &peerConns{creds: creds, conns: map[string]*grpc.ClientConn{}}
}

func (p *peerConns) conn(addr string) (*grpc.ClientConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return nil, errors.New("server stopped")
	}
	if cc := p.conns[addr]; cc != nil {
		return cc, nil
	}
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(p.creds))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	p.conns[addr] = cc
	return cc, nil
}

func (p *peerConns) close() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, cc := range conns {
		_ = cc.Close()
	}
}
