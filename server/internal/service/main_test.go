package service_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// One 3-node cluster shared by the tests of this package; tests that move
// leaders put them back or only rely on what they read from the cluster.
var tc *testCluster

type testCluster struct {
	*cluster.Cluster
	mu    sync.Mutex
	conns map[string]*grpc.ClientConn
}

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	c, err := cluster.Start(ctx, cluster.Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start cluster:", err)
		os.Exit(1)
	}
	tc = &testCluster{Cluster: c, conns: map[string]*grpc.ClientConn{}}
	code := m.Run()
	for _, cc := range tc.conns {
		_ = cc.Close()
	}
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close cluster:", err)
		code = 1
	}
	os.Exit(code)
}

func (c *testCluster) conn(t testing.TB, addr string) *grpc.ClientConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cc := c.conns[addr]; cc != nil {
		return cc
	}
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	c.conns[addr] = cc
	return cc
}

func (c *testCluster) shard(key string) uint32 {
	return topology.ShardOf([]byte(key), c.Layout().TotalShards)
}

// leaderKV returns a Kv client on the node leading key's shard.
func (c *testCluster) leaderKV(t testing.TB, key string) norikvpb.KvClient {
	return norikvpb.NewKvClient(c.conn(t, c.Addr(c.leaderID(t, key))))
}

// leaderID waits until key's shard has a leader (an election may be under
// way on a loaded machine) and returns its node id.
func (c *testCluster) leaderID(t testing.TB, key string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if id := c.LeaderOf(c.shard(key)); id != "" {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("shard of %q has no leader after 15 s", key)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// followerID returns a node replicating key's shard that does not lead it.
func (c *testCluster) followerID(key string) string {
	leader := c.LeaderOf(c.shard(key)) // "" during an election: any replica is a follower then
	for _, r := range c.Layout().Replicas(c.Layout().GroupOfShard(c.shard(key))) {
		if r.ID != leader {
			return r.ID
		}
	}
	return ""
}

func (c *testCluster) kvOn(t testing.TB, id string) norikvpb.KvClient {
	return norikvpb.NewKvClient(c.conn(t, c.Addr(id)))
}

func (c *testCluster) consoleOn(t testing.TB, id string) consolepb.ConsoleClient {
	return consolepb.NewConsoleClient(c.conn(t, c.Addr(id)))
}

func (c *testCluster) adminOn(t testing.TB, id string) norikvpb.AdminClient {
	return norikvpb.NewAdminClient(c.conn(t, c.Addr(id)))
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// wantCode fails unless err has the code and its message contains msg.
func wantCode(t testing.TB, err error, code codes.Code, msg string) {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Fatalf("got %v, want code %v", err, code)
	}
	if msg != "" && !strings.Contains(st.Message(), msg) {
		t.Fatalf("message %q does not contain %q", st.Message(), msg)
	}
}

func hint(md metadata.MD) string {
	if v := md.Get("leader-hint"); len(v) > 0 {
		return v[0]
	}
	return ""
}

// keyInGroup returns a key with the given prefix whose shard is in group g.
func keyInGroup(prefix string, g int, n int) string {
	for i := n; ; i++ {
		k := fmt.Sprintf("%s-%d", prefix, i)
		if tc.Layout().GroupOfShard(tc.shard(k)) == g {
			return k
		}
	}
}

// put writes through the key's leader, following NOT_LEADER hints and
// waiting out elections: tests that are not about leadership must not fail
// when a busy machine moves a leader between looking it up and calling it.
func (c *testCluster) put(ctx context.Context, t testing.TB, req *norikvpb.PutRequest) *norikvpb.PutResponse {
	t.Helper()
	addr := ""
	for {
		if addr == "" {
			if id := c.LeaderOf(c.shard(string(req.Key))); id != "" {
				addr = c.Addr(id)
			}
		}
		var err error
		if addr != "" {
			var tr metadata.MD
			var resp *norikvpb.PutResponse
			if resp, err = norikvpb.NewKvClient(c.conn(t, addr)).Put(ctx, req, grpc.Trailer(&tr)); err == nil {
				return resp
			}
			if status.Convert(err).Message() != "NOT_LEADER" {
				t.Fatalf("put %q: %v", req.Key, err)
			}
			addr = hint(tr)
		}
		if ctx.Err() != nil {
			t.Fatalf("put %q: no leader took it: %v", req.Key, err)
		}
		if addr == "" {
			time.Sleep(20 * time.Millisecond)
		}
	}
}
