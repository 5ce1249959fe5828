// Package service serves a node's gRPC API: norikv.v1 Kv, Meta, Admin and
// Vector, and the norikv.console.v1 Console extension.
package service

import (
	"context"
	"path"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/node"
)

// Observer is told about every finished RPC (metrics hook).
type Observer func(method, code string, elapsed time.Duration)

// Server is the gRPC front end of one node.
type Server struct {
	n        *node.Node
	grpc     *grpc.Server
	views    *viewCache
	counters *counters
	observe  Observer
	done     chan struct{}
	stopOnce sync.Once
}

// New registers every service of node n on a new gRPC server.
// observe may be nil.
func New(n *node.Node, observe Observer) *Server {
	s := &Server{
		n: n, views: &viewCache{layout: n.Layout()}, counters: newCounters(),
		observe: observe, done: make(chan struct{}),
	}
	s.grpc = grpc.NewServer(
		grpc.MaxRecvMsgSize(4<<20),
		grpc.ChainUnaryInterceptor(s.unaryInterceptor),
		grpc.ChainStreamInterceptor(s.streamInterceptor),
	)
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
	})
}

func (s *Server) record(fullMethod string, err error, start time.Time) {
	method := path.Base(fullMethod)
	code := status.Code(err).String()
	s.counters.add(method, code, err != nil)
	if s.observe != nil {
		s.observe(method, code, time.Since(start))
	}
}

// unaryInterceptor counts calls and turns a handler panic into an error so
// garbage input can never bring a node down.
func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = status.Errorf(codes.Internal, "internal error in %s: %v", info.FullMethod, p)
		}
		s.record(info.FullMethod, err, start)
	}()
	return h(ctx, req)
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
