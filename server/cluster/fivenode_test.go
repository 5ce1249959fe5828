package cluster_test

import (
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/topology"
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
}
