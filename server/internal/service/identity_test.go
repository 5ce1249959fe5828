package service_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/service"
)

// watchID opens WatchCluster on addr and returns the cluster id header
// and the stream (its first view not yet read).
func watchID(t *testing.T, ctx context.Context, cc *grpc.ClientConn) (string, norikvpb.Meta_WatchClusterClient) {
	t.Helper()
	stream, err := norikvpb.NewMetaClient(cc).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := stream.Header()
	if err != nil {
		t.Fatal(err)
	}
	ids := hdr.Get(service.ClusterIDHeader)
	if len(ids) != 1 || len(ids[0]) != 32 {
		t.Fatalf("%s header %v, want one 32-hex-digit id", service.ClusterIDHeader, ids)
	}
	return ids[0], stream
}

func TestClusterIDOnWatchHeaderAndNodeStatus(t *testing.T) {
	ctx := testCtx(t)
	var id string
	for _, nid := range tc.NodeIDs() {
		got, stream := watchID(t, ctx, tc.conn(t, tc.Addr(nid)))
		if _, err := stream.Recv(); err != nil {
			t.Fatal(err)
		}
		if id != "" && got != id {
			t.Fatalf("node %s names the cluster %s, another node %s", nid, got, id)
		}
		id = got
		st, err := tc.consoleOn(t, nid).NodeStatus(ctx, &consolepb.NodeStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if st.ClusterId != id {
			t.Fatalf("NodeStatus of %s: cluster_id %q, watch header %q", nid, st.ClusterId, id)
		}
	}
}

// TestWatchClusterRepeatsTheView checks the heartbeat: with nothing
// changing, the stream keeps delivering the current view (same epoch).
func TestWatchClusterRepeatsTheView(t *testing.T) {
	ctx := testCtx(t)
	_, stream := watchID(t, ctx, tc.conn(t, tc.Addrs()[0]))
	first, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	last := first.Epoch
	for i := 0; i < 2; i++ {
		v, err := stream.Recv() // a repeat, or a newer epoch if something moved
		if err != nil {
			t.Fatalf("waiting for repeat %d: %v", i+1, err)
		}
		if v.Epoch < last {
			t.Fatalf("epoch went back from %d to %d", last, v.Epoch)
		}
		last = v.Epoch
	}
}

// TestClusterIDSurvivesRestartWithData restarts a cluster from its data
// dir (same id), then starts one in a fresh dir (a new id).
func TestClusterIDSurvivesRestartWithData(t *testing.T) {
	dir := t.TempDir()
	opts := cluster.Options{TotalShards: 8, Groups: 2, DataDir: dir}
	first := clusterID(t, opts)
	if again := clusterID(t, opts); again != first {
		t.Fatalf("cluster id changed across a restart with data: %s, then %s", first, again)
	}
	opts.DataDir = t.TempDir()
	if fresh := clusterID(t, opts); fresh == first {
		t.Fatalf("a cluster started without data kept the old id %s", first)
	}
}

// clusterID starts a cluster, reads its id from a node's watch header and
// from NodeStatus, and stops it.
func clusterID(t *testing.T, opts cluster.Options) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()
	cc, err := grpc.NewClient(c.Addrs()[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	id, _ := watchID(t, wctx, cc)
	st, err := consolepb.NewConsoleClient(cc).NodeStatus(ctx, &consolepb.NodeStatusRequest{})
	if err != nil || st.ClusterId != id {
		t.Fatalf("NodeStatus cluster_id %q (%v), watch header %q", st.GetClusterId(), err, id)
	}
	// Every node caches the id in its data dir, to name the cluster at once
	// after a restart, before its metadata group has replayed the log.
	for _, nid := range c.NodeIDs() {
		path := filepath.Join(c.DataDir(), nid, "cluster-id")
		for {
			b, _ := os.ReadFile(path)
			if strings.TrimSpace(string(b)) == id {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("%s holds %q, want %s", path, b, id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return id
}
