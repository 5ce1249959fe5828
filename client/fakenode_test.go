package client

import (
	"context"
	"net"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// fakeNode is a real gRPC server on loopback whose answers are scripted by
// each test: it exists to misbehave on purpose (redirect, fail, lag), which
// the real embedded cluster does not do on demand.
type fakeNode struct {
	addr string
	srv  *grpc.Server

	mu       sync.Mutex
	puts     []*norikvpb.PutRequest
	gets     []*norikvpb.GetRequest
	dels     []*norikvpb.DeleteRequest
	vecMD    []metadata.MD
	scans    []*consolepb.ScanRequest
	onPut    func(ctx context.Context, n int, req *norikvpb.PutRequest) (*norikvpb.PutResponse, error)
	onGet    func(ctx context.Context, n int, req *norikvpb.GetRequest) (*norikvpb.GetResponse, error)
	onDelete func(ctx context.Context, n int, req *norikvpb.DeleteRequest) (*norikvpb.DeleteResponse, error)
	onWatch  func(stream grpc.ServerStreamingServer[norikvpb.ClusterView]) error
	onVector func(ctx context.Context, md metadata.MD) error
	onScan   func(ctx context.Context, req *consolepb.ScanRequest) (*consolepb.ScanResponse, error)
	onList   func(ctx context.Context) (*consolepb.ListVectorIndexesResponse, error)
}

type fakeKv struct {
	norikvpb.UnimplementedKvServer
	f *fakeNode
}

type fakeMeta struct {
	norikvpb.UnimplementedMetaServer
	f *fakeNode
}

type fakeVector struct {
	norikvpb.UnimplementedVectorServer
	f *fakeNode
}

type fakeConsole struct {
	consolepb.UnimplementedConsoleServer
	f *fakeNode
}

// fakeServices selects what a fake node registers; the rest answer UNIMPLEMENTED.
type fakeServices struct{ meta, vector, console bool }

func startFake(t testing.TB, svc fakeServices) *fakeNode {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	f := &fakeNode{addr: lis.Addr().String(), srv: grpc.NewServer()}
	norikvpb.RegisterKvServer(f.srv, &fakeKv{f: f})
	if svc.meta {
		norikvpb.RegisterMetaServer(f.srv, &fakeMeta{f: f})
	}
	if svc.vector {
		norikvpb.RegisterVectorServer(f.srv, &fakeVector{f: f})
	}
	if svc.console {
		consolepb.RegisterConsoleServer(f.srv, &fakeConsole{f: f})
	}
	go func() { _ = f.srv.Serve(lis) }()
	t.Cleanup(f.srv.Stop)
	return f
}

func (k *fakeKv) Put(ctx context.Context, req *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
	f := k.f
	f.mu.Lock()
	f.puts = append(f.puts, req)
	n, fn := len(f.puts), f.onPut
	f.mu.Unlock()
	if fn == nil {
		return &norikvpb.PutResponse{Version: &norikvpb.Version{Term: 1, Index: uint64(n)}}, nil
	}
	return fn(ctx, n, req)
}

func (k *fakeKv) Get(ctx context.Context, req *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
	f := k.f
	f.mu.Lock()
	f.gets = append(f.gets, req)
	n, fn := len(f.gets), f.onGet
	f.mu.Unlock()
	if fn == nil {
		return nil, status.Error(codes.NotFound, "key not found")
	}
	return fn(ctx, n, req)
}

func (k *fakeKv) Delete(ctx context.Context, req *norikvpb.DeleteRequest) (*norikvpb.DeleteResponse, error) {
	f := k.f
	f.mu.Lock()
	f.dels = append(f.dels, req)
	n, fn := len(f.dels), f.onDelete
	f.mu.Unlock()
	if fn == nil {
		return &norikvpb.DeleteResponse{Tombstoned: true}, nil
	}
	return fn(ctx, n, req)
}

func (m *fakeMeta) WatchCluster(_ *norikvpb.ClusterView, stream grpc.ServerStreamingServer[norikvpb.ClusterView]) error {
	m.f.mu.Lock()
	fn := m.f.onWatch
	m.f.mu.Unlock()
	if fn == nil {
		<-stream.Context().Done()
		return nil
	}
	return fn(stream)
}

func (v *fakeVector) vec(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	v.f.mu.Lock()
	v.f.vecMD = append(v.f.vecMD, md)
	fn := v.f.onVector
	v.f.mu.Unlock()
	if fn != nil {
		return fn(ctx, md)
	}
	return nil
}

func (v *fakeVector) CreateIndex(ctx context.Context, _ *norikvpb.CreateVectorIndexRequest) (*norikvpb.CreateVectorIndexResponse, error) {
	if err := v.vec(ctx); err != nil {
		return nil, err
	}
	return &norikvpb.CreateVectorIndexResponse{Created: true}, nil
}

func (v *fakeVector) Insert(ctx context.Context, _ *norikvpb.VectorInsertRequest) (*norikvpb.VectorInsertResponse, error) {
	if err := v.vec(ctx); err != nil {
		return nil, err
	}
	return &norikvpb.VectorInsertResponse{Inserted: true, Version: &norikvpb.Version{Term: 2, Index: 9}}, nil
}

func (v *fakeVector) Search(ctx context.Context, _ *norikvpb.VectorSearchRequest) (*norikvpb.VectorSearchResponse, error) {
	if err := v.vec(ctx); err != nil {
		return nil, err
	}
	return &norikvpb.VectorSearchResponse{Matches: []*norikvpb.VectorMatch{{Id: "a", Distance: 0.5}}}, nil
}

func (c *fakeConsole) Scan(ctx context.Context, req *consolepb.ScanRequest) (*consolepb.ScanResponse, error) {
	c.f.mu.Lock()
	c.f.scans = append(c.f.scans, req)
	fn := c.f.onScan
	c.f.mu.Unlock()
	if fn == nil {
		return &consolepb.ScanResponse{Done: true}, nil
	}
	return fn(ctx, req)
}

func (c *fakeConsole) ListVectorIndexes(ctx context.Context, _ *consolepb.ListVectorIndexesRequest) (*consolepb.ListVectorIndexesResponse, error) {
	c.f.mu.Lock()
	fn := c.f.onList
	c.f.mu.Unlock()
	if fn == nil {
		return &consolepb.ListVectorIndexesResponse{}, nil
	}
	return fn(ctx)
}

func (c *fakeConsole) NodeStatus(context.Context, *consolepb.NodeStatusRequest) (*consolepb.NodeStatusResponse, error) {
	return &consolepb.NodeStatusResponse{NodeId: "fake", Addr: c.f.addr, UptimeMs: 1500}, nil
}

// set runs fn under the node's lock, to install hooks.
func (f *fakeNode) set(fn func(f *fakeNode)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeNode) putCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.puts)
}

func (f *fakeNode) putReqs() []*norikvpb.PutRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*norikvpb.PutRequest(nil), f.puts...)
}

func (f *fakeNode) getReqs() []*norikvpb.GetRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*norikvpb.GetRequest(nil), f.gets...)
}

// notLeader answers NOT_LEADER with an optional hint under key, sent in the
// trailer (or the header when inHeader).
func notLeader(ctx context.Context, key, hint string, inHeader bool) error {
	if hint != "" {
		md := metadata.Pairs(key, hint)
		if inHeader {
			_ = grpc.SetHeader(ctx, md)
		} else {
			_ = grpc.SetTrailer(ctx, md)
		}
	}
	return status.Error(codes.Unavailable, "NOT_LEADER")
}

// view builds a ClusterView with every shard led by leaderID.
func view(epoch uint64, totalShards int, leaderID string, nodes map[string]string) *norikvpb.ClusterView {
	v := &norikvpb.ClusterView{Epoch: epoch}
	for id, addr := range nodes {
		v.Nodes = append(v.Nodes, &norikvpb.ClusterNode{Id: id, Addr: addr, Role: "alive"})
	}
	for s := 0; s < totalShards; s++ {
		si := &norikvpb.ShardInfo{Id: uint32(s)}
		for id := range nodes {
			si.Replicas = append(si.Replicas, &norikvpb.ShardReplica{NodeId: id, Leader: id == leaderID})
		}
		v.Shards = append(v.Shards, si)
	}
	return v
}

// newTestClient builds a client on seeds with fast retries and no watch
// unless watch is true; it is closed at test end.
func newTestClient(t testing.TB, watch bool, seeds ...string) *Client {
	t.Helper()
	c, err := New(Config{
		Nodes:        seeds,
		TotalShards:  16,
		Timeout:      2e9,
		Retry:        RetryConfig{MaxAttempts: 4, InitialDelay: 1e6, MaxDelay: 5e6, Jitter: -1},
		DisableWatch: !watch,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
