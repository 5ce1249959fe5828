package ui

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/feed"
	"github.com/norikv/norikv-console/ui/uitest"
	"github.com/norikv/norikv-console/views/keys"
)

// driver runs the root model like Bubble Tea does: commands on goroutines,
// their messages back through one channel into Update, on the test's
// goroutine (so the test reads the model without races).
type driver struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
	done chan struct{}
	once sync.Once
}

func newDriver(t *testing.T, m *Model) *driver {
	d := &driver{t: t, m: m, msgs: make(chan tea.Msg, 256), done: make(chan struct{})}
	t.Cleanup(d.stop)
	return d
}

func (d *driver) stop() { d.once.Do(func() { close(d.done) }) }

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { d.deliver(cmd()) }() // each command on its own goroutine, as Bubble Tea runs a batch
}

func (d *driver) deliver(msg tea.Msg) {
	if msg == nil {
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType { // batch or sequence
		for k := 0; k < v.Len(); k++ {
			c, _ := v.Index(k).Interface().(tea.Cmd)
			d.run(c)
		}
		return
	}
	if _, quit := msg.(tea.QuitMsg); quit {
		return
	}
	select {
	case d.msgs <- msg:
	case <-d.done:
	}
}

// until processes messages until cond holds, failing after within.
func (d *driver) until(what string, within time.Duration, cond func() bool) time.Duration {
	d.t.Helper()
	start := time.Now()
	deadline := time.After(within)
	for !cond() {
		select {
		case msg := <-d.msgs:
			_, cmd := d.m.Update(msg)
			d.run(cmd)
		case <-deadline:
			d.t.Fatalf("%s: not within %s; state %s, unreachable %v\n%s", what, within, d.m.ConnState(), d.m.Unreachable(), d.m.View())
		}
	}
	return time.Since(start)
}

// freeBasePort finds three consecutive free loopback ports.
func freeBasePort(t *testing.T) int { return uitest.FreeBasePort(t) }

func startCluster(t *testing.T, base int) *cluster.Cluster {
	t.Helper()
	return startClusterOf(t, base, 4)
}

// startClusterOf starts an embedded 3-node cluster of 64 shards in groups
// replication groups on base, base+1, base+2 (free ports when base is 0).
func startClusterOf(t *testing.T, base, groups int) *cluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: groups, BasePort: base})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// putAndList puts each of ks (value "v") through c, opens the Keys pane,
// refreshes it and waits until it lists len(ks) entries; it returns
// the pane.
func putAndList(ctx context.Context, d *driver, c *client.Client, what string, ks ...string) *keys.Model {
	d.t.Helper()
	for _, k := range ks {
		if _, err := c.Put(ctx, []byte(k), []byte("v"), nil); err != nil {
			d.t.Fatal(err)
		}
	}
	_, cmd := d.m.Update(press("5"))
	d.run(cmd)
	kp := d.m.Active().(*keys.Model)
	_, cmd = d.m.Update(press("r"))
	d.run(cmd)
	d.until(what, 20*time.Second, func() bool { return len(kp.Entries()) == len(ks) })
	return kp
}

// consoleOn starts a console model (120x40) on a client of addrs (64
// shards, 2 s timeout) with its feed, and a driver that has run Init; it
// returns the client too.
func consoleOn(t *testing.T, addrs []string) (*Model, *driver, *client.Client) {
	t.Helper()
	return consoleWith(t, client.Config{Nodes: addrs, TotalShards: 64, Timeout: 2 * time.Second}, nil)
}

// consoleWith is consoleOn with the client's configuration and the
// embedded cluster's controls (nil for none).
func consoleWith(t *testing.T, cfg client.Config, control common.ClusterControl) (*Model, *driver, *client.Client) {
	t.Helper()
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	f := feed.Start(c)
	t.Cleanup(f.Close)
	com := uitest.Common()
	com.Client, com.TotalShards, com.Control = c, cfg.TotalShards, control
	m, err := New(Options{Common: com, Feed: f})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	d := newDriver(t, m)
	d.run(m.Init())
	return m, d, c
}

// TestRestartedClusterUnderARunningConsole: a console attached to a cluster
// on fixed ports sees it stop (every node unreachable, "reconnecting", no
// node shown alive or connected) and then a new cluster without data on the
// same ports: it shows the new cluster as a replacement and says
// "connected" only once it shows the new cluster's view.
func TestRestartedClusterUnderARunningConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two real clusters")
	}
	base := freeBasePort(t)
	old := startCluster(t, base)
	oldClosed := false
	t.Cleanup(func() {
		if !oldClosed {
			_ = old.Close()
		}
	})
	m, d, c := consoleOn(t, old.Addrs())
	d.until("connected to the first cluster", 30*time.Second, func() bool {
		return m.ConnState() == StateConnected && m.ClusterView() != nil && len(m.ClusterView().Nodes) == 3
	})
	// Move some leaders so the old cluster's epoch is ahead of a fresh one's.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for s := 0; s < 64; s += 16 {
		target := "n2"
		if info, err := c.TransferShard(ctx, s, target); err != nil || info.Leader() != target {
			if err != nil && !strings.Contains(err.Error(), "already") {
				t.Logf("transfer shard %d: %v", s, err)
			}
		}
	}
	d.until("the moves shown", 20*time.Second, func() bool { return m.ClusterView().Epoch > 1 })
	oldEpoch := m.ClusterView().Epoch
	send(m, press("1")) // the Cluster pane has the old cluster's 4 groups
	d.until("the old cluster's groups listed", 30*time.Second, func() bool {
		return fmt.Sprint(groupRowsIn(m.View())) == "[g0 g1 g2 g3]"
	})
	// The Keys pane lists the old cluster's keys.
	kp := putAndList(ctx, d, c, "the old keys listed", "old:1", "old:2", "old:3")

	closed := make(chan error, 1)
	go func() { closed <- old.Close() }()
	took := d.until("every node unreachable", 30*time.Second, func() bool {
		return len(m.Unreachable()) == 3 && m.ConnState() == StateReconnecting
	})
	t.Logf("all nodes shown unreachable %s after the cluster began stopping", took.Round(10*time.Millisecond))
	v := m.View()
	if !strings.Contains(v, "reconnecting") || !strings.Contains(v, "0/3 alive, 3 unreachable") || strings.Contains(v, " alive ") && strings.Contains(v, "yes") {
		t.Fatalf("outage not shown honestly:\n%s", v)
	}
	for _, n := range m.presented(m.ClusterView()).Nodes {
		if n.Role == "alive" || !n.Unreachable {
			t.Fatalf("node %s shown to panes as %q", n.ID, n.Role)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	oldClosed = true

	fresh := startClusterOf(t, base, 2) // no data dir: a new cluster, with 2 groups where the old one had 4
	t.Cleanup(func() { _ = fresh.Close() })
	replaced := func() bool {
		for _, e := range m.Messages() {
			if strings.Contains(e.Text, "the cluster was replaced") {
				return true
			}
		}
		return false
	}
	d.until("connected to the new cluster", 60*time.Second, func() bool {
		if m.ConnState() == StateConnected && !replaced() {
			t.Fatalf("says connected before showing the new cluster (epoch %d, old %d)\n%s", m.ClusterView().Epoch, oldEpoch, m.View())
		}
		return m.ConnState() == StateConnected
	})
	probe, err := client.New(client.Config{Nodes: fresh.Addrs(), TotalShards: 64, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	if err := probe.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	d.until("the new cluster's view shown", 30*time.Second, func() bool {
		want := probe.ClusterView()
		got := m.ClusterView()
		return want != nil && got != nil && got.Epoch == want.Epoch && len(m.Unreachable()) == 0
	})
	if v := m.View(); strings.Contains(v, "unreachable") || !strings.Contains(v, fmt.Sprintf("epoch %d", m.ClusterView().Epoch)) {
		t.Fatalf("after the restart:\n%s", v)
	}
	// The new cluster has none of the old keys, and the list says so.
	d.until("the old cluster's keys gone from the Keys pane", 30*time.Second, func() bool {
		return len(kp.Entries()) == 0 && !strings.Contains(m.View(), "old:1")
	})
	// The Cluster pane's groups table lists the new cluster's 2 groups, not
	// empty rows for the old cluster's g2 and g3.
	send(m, press("1"))
	d.until("the Cluster pane lists the new cluster's groups", 30*time.Second, func() bool {
		return fmt.Sprint(groupRowsIn(m.View())) == "[g0 g1]"
	})
	send(m, press("2")) // the timeline has the replacement
	if v := m.View(); !strings.Contains(v, fmt.Sprintf("epoch %d", m.ClusterView().Epoch)) {
		t.Fatalf("events pane after the restart:\n%s", v)
	}
	// Between the outage and the replacement nothing was reported back: the
	// nodes answering then were the new cluster's, not the old one's.
	lost := false
	for _, e := range m.Messages() {
		switch {
		case strings.Contains(e.Text, "no node of the cluster answers"):
			lost = true
		case strings.Contains(e.Text, "the cluster was replaced"):
			lost = false
		case lost && (strings.Contains(e.Text, "reachable again") || strings.Contains(e.Text, "answers again")):
			t.Fatalf("before the replacement was shown, the log says %q", e.Text)
		}
	}
}

// groupRowsIn returns the first word of each row of the Cluster pane's
// groups table in view ("g0", "g1", ...).
func groupRowsIn(view string) []string {
	var rows []string
	in := false
	for _, l := range strings.Split(view, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 1 && f[0] == "GROUP" && f[1] == "SHARDS":
			in = true
		case in && len(f) > 0 && len(f[0]) > 1 && f[0][0] == 'g' && f[0][1] >= '0' && f[0][1] <= '9':
			rows = append(rows, f[0])
		default:
			in = false
		}
	}
	return rows
}
