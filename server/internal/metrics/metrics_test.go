package metrics_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/topology"
)

func TestHTTPEndpoints(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 1, TotalShards: 8, Groups: 2, HTTPBasePort: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/healthz", "/health", "/health/quick"} {
		if code, body := get(path); code != 200 || body != "ok\n" {
			t.Fatalf("%s: %d %q", path, code, body)
		}
	}
	if code, body := get("/readyz"); code != 200 {
		t.Fatalf("/readyz %d %s", code, body)
	}
	cc, err := grpc.NewClient(c.Addrs()[0], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	vc := norikvpb.NewVectorClient(cc)
	if _, err := vc.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: "m", Dimensions: 2,
		Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := vc.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: "m", Id: id, Vector: []float32{1, 2}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := vc.Get(ctx, &norikvpb.VectorGetRequest{Namespace: "m", Id: "a"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := norikvpb.NewKvClient(cc).Get(ctx, &norikvpb.GetRequest{Key: []byte("absent")}); status.Code(err) != codes.NotFound {
			t.Fatalf("Kv.Get of a missing key: %v", err)
		}
	}
	group := strconv.Itoa(c.Layout().GroupOfShard(topology.ShardOf([]byte("m"), 8)))
	code, body := get("/metrics")
	// Kv.Get and Vector.Get are counted apart, by full method name.
	for _, want := range []string{
		`norikv_requests_total{code="OK",method="/norikv.v1.Vector/Get"} 1`,
		`norikv_requests_total{code="NotFound",method="/norikv.v1.Kv/Get"} 2`,
		`norikv_requests_total{code="OK",method="/norikv.v1.Vector/Insert"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("/metrics lacks %q:\n%s", want, body)
		}
	}
	for _, want := range []string{"norikv_raft_term{group=\"0\"}", "norikv_raft_is_leader{group=\"1\"} 1", "norikv_cluster_epoch", "norikv_keys",
		"norikv_raft_vote_held{group=\"0\"} 0", "norikv_raft_vote_held{group=\"meta\"} 0",
		"norikv_vector_index_vectors{group=\"" + group + "\",namespace=\"m\"} 2", "norikv_vector_index_bytes{group=\"" + group + "\",namespace=\"m\"}",
		"norikv_vector_index_pending{group=\"" + group + "\",namespace=\"m\"}",
		"\nnorikv_client_connections 1\n", "\nnorikv_client_connections_refused_total 0\n", "\nnorikv_client_connections_evicted_total 0\n", "\nnorikv_meta_cut_off 0\n", "\nnorikv_client_connections_max "} {
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("/metrics (%d) lacks %q:\n%s", code, want, body)
		}
	}
}
