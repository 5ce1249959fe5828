package cluster_test

import (
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// TestPartitionedNodeHealth isolates n3 from the others: the view (served
// by n1) marks it suspect, then dead, moves its groups' leadership away,
// and after healing shows it alive and leading its groups again.
func TestPartitionedNodeHealth(t *testing.T) {
	c := start(t, cluster.Options{TotalShards: 64, Groups: 6})
	ctx := ctxFor(t, 60*time.Second)
	conn, err := grpc.NewClient(c.Addr("n1"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := norikvpb.NewMetaClient(conn).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	last := v.Epoch
	c.CutLink("n3", "n1")
	c.CutLink("n3", "n2")
	seen := map[string]bool{}
	for !seen["dead"] || leads(v, "n3") {
		if v, err = stream.Recv(); err != nil {
			t.Fatal(err)
		}
		if v.Epoch == last {
			continue // a heartbeat repeat of the same view
		}
		if v.Epoch < last {
			t.Fatalf("epoch %d after %d", v.Epoch, last)
		}
		last = v.Epoch
		seen[v.Nodes[2].Role] = true
	}
	if !seen["suspect"] {
		t.Fatal("n3 went dead without being suspect first")
	}
	c.HealAll()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	for v.Nodes[2].Role != "alive" || !leads(v, "n3") {
		if v, err = stream.Recv(); err != nil {
			t.Fatal(err)
		}
		if v.Epoch == last {
			continue // a heartbeat repeat of the same view
		}
		if v.Epoch < last {
			t.Fatalf("epoch %d after %d", v.Epoch, last)
		}
		last = v.Epoch
	}
}

func leads(v *norikvpb.ClusterView, id string) bool {
	for _, s := range v.Shards {
		for _, r := range s.Replicas {
			if r.Leader && r.NodeId == id {
				return true
			}
		}
	}
	return false
}
