package service_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

func TestWatchClusterFirstViewAndLeaderMove(t *testing.T) {
	ctx := testCtx(t)
	stream, err := norikvpb.NewMetaClient(tc.conn(t, tc.Addrs()[2])).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if first.Epoch == 0 || len(first.Nodes) != 3 || len(first.Shards) != tc.Layout().TotalShards {
		t.Fatalf("first view: epoch %d, %d nodes, %d shards", first.Epoch, len(first.Nodes), len(first.Shards))
	}
	for i, n := range first.Nodes {
		if n.Id != tc.NodeIDs()[i] || n.Addr != tc.Addrs()[i] || n.Role != "alive" {
			t.Fatalf("node %d in view: %v", i, n)
		}
	}
	for i, s := range first.Shards {
		leaders := 0
		for _, r := range s.Replicas {
			if r.Leader {
				leaders++
			}
		}
		if s.Id != uint32(i) || len(s.Replicas) != 3 || leaders != 1 {
			t.Fatalf("shard entry %d: %v", i, s)
		}
	}
	// The view agrees with the actual leaders. A busy machine may move a
	// leader between the view and the check, so a disagreement only fails
	// once later views (sent on every change, and repeated every second)
	// keep disagreeing.
	for v, tries := first, 1; ; tries++ {
		wrong := ""
		for _, s := range v.Shards {
			if got, actual := leaderIn(s), tc.LeaderOf(s.Id); got != actual {
				wrong = fmt.Sprintf("shard %d: view leader %s, actual %s", s.Id, got, actual)
				break
			}
		}
		if wrong == "" {
			break
		}
		if tries == 10 {
			t.Fatal(wrong)
		}
		if v, err = stream.Recv(); err != nil {
			t.Fatal(err)
		}
		first = v
	}

	shard := uint32(5)
	old := tc.LeaderOf(shard)
	target := tc.NodeIDs()[(indexOfID(old)+1)%3]
	if err := tc.TransferShard(ctx, shard, target); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tc.TransferShard(testCtx(t), shard, old) })
	last := first.Epoch
	for {
		v, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if v.Epoch < last {
			t.Fatalf("epoch went from %d to %d", last, v.Epoch)
		}
		last = v.Epoch
		if leaderIn(v.Shards[shard]) == target {
			break
		}
	}
}

func indexOfID(id string) int {
	for i, x := range tc.NodeIDs() {
		if x == id {
			return i
		}
	}
	return -1
}

func leaderIn(s *norikvpb.ShardInfo) string {
	for _, r := range s.Replicas {
		if r.Leader {
			return r.NodeId
		}
	}
	return ""
}

func TestTransferShard(t *testing.T) {
	ctx := testCtx(t)
	shard := uint32(700)
	old := tc.LeaderOf(shard)
	target := tc.NodeIDs()[(indexOfID(old)+2)%3]

	_, err := tc.adminOn(t, old).TransferShard(ctx, &norikvpb.ShardInfo{Id: 5000, Replicas: []*norikvpb.ShardReplica{{NodeId: target, Leader: true}}})
	wantCode(t, err, codes.NotFound, "shard 5000 not found")
	_, err = tc.adminOn(t, old).TransferShard(ctx, &norikvpb.ShardInfo{Id: shard, Replicas: []*norikvpb.ShardReplica{{NodeId: "n9", Leader: true}}})
	wantCode(t, err, codes.InvalidArgument, "not a replica of shard 700")
	var trailer metadata.MD
	_, err = tc.adminOn(t, target).TransferShard(ctx, &norikvpb.ShardInfo{Id: shard, Replicas: []*norikvpb.ShardReplica{{NodeId: target, Leader: true}}}, grpc.Trailer(&trailer))
	wantCode(t, err, codes.Unavailable, "NOT_LEADER")
	if hint(trailer) != tc.Addr(old) {
		t.Fatalf("hint %q, want %q", hint(trailer), tc.Addr(old))
	}

	var header metadata.MD
	info, err := tc.adminOn(t, old).TransferShard(ctx, &norikvpb.ShardInfo{Id: shard, Replicas: []*norikvpb.ShardReplica{{NodeId: target, Leader: true}}}, grpc.Header(&header))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tc.TransferShard(testCtx(t), shard, old) })
	if info.Id != shard || leaderIn(info) != target || len(info.Replicas) != 3 {
		t.Fatalf("reply %v, want %s leading", info, target)
	}
	if got := tc.LeaderOf(shard); got != target {
		t.Fatalf("leader after transfer %s, want %s", got, target)
	}
	first, end := tc.Layout().ShardsOfGroup(tc.Layout().GroupOfShard(shard))
	if want := strconv.Itoa(int(first)) + "-" + strconv.Itoa(int(end-1)); header.Get("moved-shards")[0] != want {
		t.Fatalf("moved-shards %v, want %s", header.Get("moved-shards"), want)
	}
	// Every shard of the group moved with it, and balancing keeps it there.
	time.Sleep(700 * time.Millisecond)
	for s := first; s < end; s++ {
		if got := tc.LeaderOf(s); got != target {
			t.Fatalf("shard %d led by %s after the group moved to %s", s, got, target)
		}
	}
}

func TestSnapshotShard(t *testing.T) {
	ctx := testCtx(t)
	shard := tc.shard("snap")
	tc.put(ctx, t, &norikvpb.PutRequest{Key: []byte("snap"), Value: []byte("v")})
	leader := tc.LeaderOf(shard)
	info, err := tc.adminOn(t, leader).SnapshotShard(ctx, &norikvpb.ShardInfo{Id: shard})
	if err != nil || info.Id != shard || leaderIn(info) != leader {
		t.Fatalf("snapshot: %v %v", info, err)
	}
	dir := filepath.Join(tc.DataDir(), leader, "group-"+strconv.Itoa(tc.Layout().GroupOfShard(shard)), "snapshots")
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no snapshot in %s: %v", dir, err)
	}
	_, err = tc.adminOn(t, leader).SnapshotShard(ctx, &norikvpb.ShardInfo{Id: 1 << 20})
	wantCode(t, err, codes.NotFound, "not found")
}
