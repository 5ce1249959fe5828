package headless

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestWatchSaysTheClusterDownAndReplaced: found in tmux with 3 serve
// processes killed, then started again without their data, under
// `norikv-console watch`. While no node answered it printed nothing (the
// cluster down for as long as it took looked like a quiet cluster), and
// the replaced cluster's first view was a change from epoch 16 to epoch 0
// without a word. Now a reachability event names the nodes that stopped
// answering (all of them: the cluster is down or restarting) and those
// that answer again, and the replacement's change says so with the new
// cluster's id.
func TestWatchSaysTheClusterDownAndReplaced(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two clusters")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	base := uitest.FreeBasePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := func() *cluster.Cluster {
		cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 16, Groups: 2, BasePort: base})
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.WaitReady(ctx); err != nil {
			_ = cl.Close()
			t.Fatal(err)
		}
		return cl
	}
	old := start()
	nodes := "--nodes=" + strings.Join(old.Addrs(), ",")

	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(wctx, "watch", []string{nodes, "-o", "json"}, IO{Stdout: &out, Stderr: &errOut})
	}()
	events := func() []watchEvent {
		var evs []watchEvent
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var ev watchEvent
			if json.Unmarshal([]byte(line), &ev) == nil {
				evs = append(evs, ev)
			}
		}
		return evs
	}
	find := func(match func(watchEvent) bool) *watchEvent {
		for _, ev := range events() {
			if match(ev) {
				return &ev
			}
		}
		return nil
	}
	eventually(t, 30*time.Second, "the snapshot", func() bool {
		return find(func(ev watchEvent) bool { return ev.Event == "snapshot" }) != nil
	})

	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "an event naming every node unreachable", func() bool {
		return find(func(ev watchEvent) bool {
			return ev.Event == "reachability" && len(ev.Unreachable) == 3 && ev.NodesInView == 3
		}) != nil
	})

	fresh := start()
	defer func() { _ = fresh.Close() }()
	eventually(t, 60*time.Second, "the replacement said, and the nodes answering again", func() bool {
		return find(func(ev watchEvent) bool { return ev.Event == "change" && ev.Replaced && ev.ClusterID != "" }) != nil &&
			find(func(ev watchEvent) bool { return ev.Event == "reachability" && len(ev.ReachableAgain) > 0 }) != nil
	})
	rep := find(func(ev watchEvent) bool { return ev.Event == "change" && ev.Replaced })
	if text := watchText(*rep); !strings.Contains(text, "the cluster was replaced (restarted without its data; cluster id "+rep.ClusterID) {
		t.Errorf("the replacement on a terminal: %q", text)
	}
	down := find(func(ev watchEvent) bool { return ev.Event == "reachability" && len(ev.Unreachable) == 3 })
	if text := watchText(*down); !strings.Contains(text, "no node of the cluster answers (n1, n2, n3): the cluster is down or restarting") {
		t.Errorf("every node down on a terminal: %q", text)
	}
	wcancel()
	if code := <-done; code != 0 {
		t.Errorf("watch exited %d: %s", code, errOut.String())
	}
	t.Logf("watch printed:\n%s", out.String())
}
