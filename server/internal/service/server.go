// Package service serves a node's gRPC API: norikv.v1 Kv, Meta, Admin and
// Vector, and the norikv.console.v1 Console extension.
package service

import (
	"context"
	"crypto/tls"
	"errors"
	"path"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/node"
)

// streamWorkers is the number of goroutines kept to run calls: more than
// the concurrent calls a busy node serves (each Put waits on its log).
const streamWorkers = 128

// Observer is told about every finished RPC (metrics hook). method is the
// full gRPC method name, e.g. /norikv.v1.Kv/Get.
type Observer func(method, code string, elapsed time.Duration)

// Options are the optional settings of NewWithOptions.
type Options struct {
	// TLS, when set, serves clients over TLS with this configuration (its
	// ClientAuth decides whether client certificates are required).
	TLS *tls.Config
	// PeerTLS, when set, is the client configuration used to forward calls
	// to other nodes' client ports (needed when they serve TLS).
	PeerTLS *tls.Config
	// IdemClaimed, when set, is told about each idempotency key claimed
	// in another group than its write's (idem.go; a metrics hook).
	IdemClaimed func()
}

// Server is the gRPC front end of one node.
type Server struct {
	n        *node.Node
	grpc     *grpc.Server
	views    *viewCache
	counters *counters
	observe  Observer
	claimed  func() // Options.IdemClaimed, nil: not counted
	peers    *peerConns
	done     chan struct{}
	stopOnce sync.Once
}

// New registers every service of node n on a new plaintext gRPC server.
// observe may be nil.
func New(n *node.Node, observe Observer) *Server {
	return NewWithOptions(n, observe, Options{})
}

// NewWithOptions is New with TLS settings.
func NewWithOptions(n *node.Node, observe Observer, opts Options) *Server {
	s := &Server{
		n: n, views: &viewCache{layout: n.Layout()}, counters: newCounters(),
		observe: observe, claimed: opts.IdemClaimed, peers: newPeerConns(opts.PeerTLS), done: make(chan struct{}),
	}
	sopts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(4 << 20),
		grpc.ChainUnaryInterceptor(s.unaryInterceptor),
		grpc.ChainStreamInterceptor(s.streamInterceptor),
		// Clients ping every 10 s on a quiet connection to find hung nodes
		// (the client's keepalive); gRPC's default policy would answer pings
		// more often than every 5 minutes with GOAWAY too_many_pings.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
		// Calls run on reused goroutines instead of a new one each: a new
		// goroutine grows its stack again on every Put (copystack showed
		// in the write path's profile). Calls beyond the workers (long
		// watch streams hold theirs) still get their own goroutine.
		grpc.NumStreamWorkers(streamWorkers),
	}
	if opts.TLS != nil {
		sopts = append(sopts, grpc.Creds(credentials.NewTLS(opts.TLS)))
	}
	// Put and Get replies are encoded without protobuf's map reflection
	// (replycodec.go); everything else by gRPC's proto codec.
	if codec, err := newReplyCodec(); err == nil {
		sopts = append(sopts, grpc.ForceServerCodecV2(codec))
	}
	s.grpc = grpc.NewServer(sopts...)
	norikvpb.RegisterKvServer(s.grpc, &kvService{s: s})
	norikvpb.RegisterMetaServer(s.grpc, &metaService{s: s})
	norikvpb.RegisterAdminServer(s.grpc, &adminService{s: s})
	norikvpb.RegisterVectorServer(s.grpc, &vectorService{s: s})
	consolepb.RegisterConsoleServer(s.grpc, &consoleService{s: s})
	return s
}

// Serve serves on the node's client listener until Stop.
func (s *Server) Serve() error { return s.grpc.Serve(s.n.ClientListener()) }

// Stop ends watch streams, then stops the server, waiting briefly for
// in-flight calls.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		close(s.done)
		t := time.AfterFunc(2*time.Second, s.grpc.Stop)
		s.grpc.GracefulStop()
		t.Stop()
		s.peers.close()
	})
}

func (s *Server) record(fullMethod string, err error, start time.Time) {
	code := status.Code(err).String()
	// NodeStatus keeps its short method names (what the console shows);
	// the observer (metrics) gets the full name, so Kv.Get and Vector.Get
	// are counted apart.
	s.counters.add(path.Base(fullMethod), code, err != nil)
	if s.observe != nil {
		s.observe(fullMethod, code, time.Since(start))
	}
}

// unaryInterceptor counts calls, forwards the calls a handler hands to
// another node, and turns a handler panic into an error so garbage input
// can never bring a node down.
func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = status.Errorf(codes.Internal, "internal error in %s: %v", info.FullMethod, p)
		}
		s.record(info.FullMethod, err, start)
	}()
	resp, err = h(ctx, req)
	var fe *forwardError
	if errors.As(err, &fe) {
		return s.forward(ctx, info.FullMethod, req, fe)
	}
	return resp, err
}

func (s *Server) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = status.Errorf(codes.Internal, "internal error in %s: %v", info.FullMethod, p)
		}
		s.record(info.FullMethod, err, start)
	}()
	return h(srv, ss)
}

// counters are the per-method and per-code totals NodeStatus reports.
type counters struct {
	mu       sync.Mutex
	requests map[string]uint64
	errors   map[string]uint64
}

func newCounters() *counters {
	return &counters{requests: map[string]uint64{}, errors: map[string]uint64{}}
}

func (c *counters) add(method, code string, failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests[method]++
	if failed {
		c.errors[code]++
	}
}

func (c *counters) snapshot() (map[string]uint64, map[string]uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := make(map[string]uint64, len(c.requests))
	for k, v := range c.requests {
		req[k] = v
	}
	errs := make(map[string]uint64, len(c.errors))
	for k, v := range c.errors {
		errs[k] = v
	}
	return req, errs
}
