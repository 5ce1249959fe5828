package headless

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// `watch` seeded with only a node cut off from its peers printed that
// node's last view as its snapshot (n3 alive, an old epoch) and, 50 ms
// later, the change to the current view it then got from another node:
// a view it could not vouch for, printed as the cluster's. Now the first
// line is the current view, and no change follows it.
func TestWatchThroughACutOffNodeStartsWithTheCurrentView(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl := startOwnCluster(t, ctx)
	addrs := cl.Addrs()
	watcher, err := client.New(client.Config{Nodes: addrs[:2], TotalShards: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	if err := watcher.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	cl.CutLink("n3", "n1")
	cl.CutLink("n3", "n2")
	eventually(t, 30*time.Second, "n1 and n2 to judge n3 dead", func() bool {
		for _, n := range watcher.ClusterView().Nodes {
			if n.ID == "n3" {
				return n.Role == "dead"
			}
		}
		return false
	})
	current := watcher.ClusterView().Epoch
	// n3 ends watches saying its view is not current only once it has
	// not heard the metadata leader for a while.
	eventually(t, 30*time.Second, "n3 to say it is cut off", func() bool {
		sts, _ := watcher.NodeStatuses(ctx)
		for _, st := range sts {
			if st.NodeID == "n3" && st.Status != nil && st.Status.MetaCutOff != "" {
				return true
			}
		}
		return false
	})

	wctx, wcancel := context.WithCancel(ctx)
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(wctx, "watch", []string{"--nodes=" + addrs[2], "--shards=64", "-o", "json"}, IO{Stdout: &out, Stderr: &errOut})
	}()
	eventually(t, 30*time.Second, "the snapshot", func() bool { return strings.Contains(out.String(), `"snapshot"`) })
	time.Sleep(500 * time.Millisecond) // a change 50 ms after the snapshot was the bug
	wcancel()
	<-done
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var first watchEvent
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Event != "snapshot" {
		t.Fatalf("first line is not a snapshot (%v):\n%s\n%s", err, out.String(), errOut.String())
	}
	if first.Epoch < current || first.ViewNotCurrent != "" {
		t.Fatalf("the snapshot is n3's old view (epoch %d, the cluster's %d; view_not_current %q):\n%s", first.Epoch, current, first.ViewNotCurrent, out.String())
	}
	for _, n := range first.Nodes {
		if n.ID == "n3" && n.Health != "dead" {
			t.Fatalf("the snapshot shows n3 %s (its own view); its peers count it dead:\n%s", n.Health, out.String())
		}
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, `"change"`) {
			t.Errorf("a change follows the snapshot at once (the snapshot was not current):\n%s", out.String())
		}
	}
}
