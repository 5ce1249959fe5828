package cluster_test

import (
	"math"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// TestFiveNodes covers what only shows with more nodes than replicas: a
// node outside a group redirects to its leader, non-voting metadata
// members serve the same view, and a transfer to a non-replica is refused.
func TestFiveNodes(t *testing.T) {
	c := start(t, cluster.Options{Nodes: 5, TotalShards: 64, Groups: 5})
	ctx := ctxFor(t, 30*time.Second)
	key := keysInGroup(c, "five", 0, 1)[0] // group 0 lives on n1, n2, n3
	shard := topology.ShardOf([]byte(key), 64)
	conn, err := grpc.NewClient(c.Addr("n5"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var trailer metadata.MD
	_, err = norikvpb.NewKvClient(conn).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v")}, grpc.Trailer(&trailer))
	if status.Code(err) != codes.Unavailable || status.Convert(err).Message() != "NOT_LEADER" {
		t.Fatalf("put on a non-replica: %v", err)
	}
	if h := trailer.Get("leader-hint"); len(h) != 1 || h[0] != c.Addr(c.LeaderOf(shard)) {
		t.Fatalf("hint %v, want %s", h, c.Addr(c.LeaderOf(shard)))
	}
	_, err = norikvpb.NewKvClient(conn).Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: "stale_ok"}, grpc.Trailer(&trailer))
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("stale get on a non-replica: %v", err)
	}

	_, err = norikvpb.NewAdminClient(conn).TransferShard(ctx, &norikvpb.ShardInfo{Id: shard, Replicas: []*norikvpb.ShardReplica{{NodeId: "n5", Leader: true}}})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("transfer to a non-replica: %v", err)
	}

	stream, err := norikvpb.NewMetaClient(conn).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if v.Epoch == 0 || len(v.Nodes) != 5 || len(v.Shards) != 64 {
		t.Fatalf("view on non-voter n5: epoch %d, %d nodes, %d shards", v.Epoch, len(v.Nodes), len(v.Shards))
	}
	leaders := map[string]int{}
	for _, s := range v.Shards {
		if len(s.Replicas) != 3 {
			t.Fatalf("shard %d has %d replicas", s.Id, len(s.Replicas))
		}
		for _, r := range s.Replicas {
			if r.Leader {
				leaders[r.NodeId]++
			}
		}
	}
	if len(leaders) != 5 {
		t.Fatalf("leadership not spread over the 5 nodes: %v", leaders)
	}

	// Vectors: a non-replica checks what it can, then forwards the call to
	// the group's leader; idempotency keys owned by a group n5 is not in
	// are still claimed (forwarded between nodes).
	ns := keysInGroup(c, "five-ns", 0, 1)[0]
	vc := norikvpb.NewVectorClient(conn)
	var header metadata.MD
	created, err := vc.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: 2,
		Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN}, grpc.Header(&header))
	nsShard := topology.ShardOf([]byte(ns), 64)
	if err != nil || !created.Created || len(header.Get("served-by")) != 1 || header.Get("served-by")[0] != c.LeaderOf(nsShard) {
		t.Fatalf("create on a non-replica, forwarded: %v %v (header %v)", created, err, header)
	}
	_, err = vc.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "a", Vector: []float32{1, float32(math.NaN())}})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("NaN insert on a non-replica: %v", err)
	}
	lconn, err := grpc.NewClient(c.Addr(c.LeaderOf(nsShard)), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer lconn.Close()
	lv := norikvpb.NewVectorClient(lconn)
	if _, err := lv.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: 2,
		Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN}); err != nil {
		t.Fatal(err)
	}
	// An idempotency key owned by a group on other nodes than the namespace's.
	idem := keysInGroup(c, "five-idem", 3, 1)[0] // group 3 lives on n4, n5, n1
	if _, err := lv.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "a", Vector: []float32{1, 2}, IdempotencyKey: idem}); err != nil {
		t.Fatal(err)
	}
	other := keysInGroup(c, "five-other", 1, 1)[0]
	_, err = norikvpb.NewKvClient(conn).Put(ctx, &norikvpb.PutRequest{Key: []byte(other), Value: []byte("x"), IdempotencyKey: idem})
	if status.Code(err) != codes.InvalidArgument && status.Code(err) != codes.Unavailable {
		t.Fatalf("reuse of an idempotency key: %v", err)
	}
	oconn, err := grpc.NewClient(c.Addr(c.LeaderOf(topology.ShardOf([]byte(other), 64))), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer oconn.Close()
	_, err = norikvpb.NewKvClient(oconn).Put(ctx, &norikvpb.PutRequest{Key: []byte(other), Value: []byte("x"), IdempotencyKey: idem})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("reuse of an idempotency key on group 1's leader: %v", err)
	}
}
