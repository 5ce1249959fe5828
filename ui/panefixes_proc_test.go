//go:build unix

package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/proccluster"
)

// These tests run this session's pane fixes (3d8affe, 10efa08, 39c4c95,
// 6d41e34, 3467df1) on serve processes under the whole console, with
// real polls, and read what the panes show.

// paneView is the View of the pane titled title, whether or not it is
// the active one (every pane gets the polls and ticks).
func paneView(t *testing.T, m *Model, title string) string {
	t.Helper()
	for _, p := range m.Panes() {
		if p.Title() == title {
			return p.View()
		}
	}
	t.Fatalf("no %s pane", title)
	return ""
}

// activate makes the pane titled title the active one.
func activate(t *testing.T, m *Model, title string) {
	t.Helper()
	for i, p := range m.Panes() {
		if p.Title() == title {
			m.active = i
			return
		}
	}
	t.Fatalf("no %s pane", title)
}

// lineWith is the first line of view that starts with prefix.
func lineWith(view, prefix string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// leadsCell is node id's LEADS cell in the Cluster pane's nodes table.
func leadsCell(view, id string) string {
	for _, l := range strings.Split(view, "\n") {
		f := strings.Fields(l)
		for i := 0; i+3 < len(f); i++ {
			if f[i] == id && strings.HasPrefix(f[i+1], "127.0.0.1:") {
				return f[i+3]
			}
		}
	}
	return ""
}

func putKeys(t *testing.T, c *client.Client, prefix string, n int, ttl time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < n; i++ {
		if _, err := c.Put(ctx, []byte(fmt.Sprintf("%s:%d", prefix, i)), []byte("v"), &client.PutOptions{TTL: ttl}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClusterPaneFollowsAStoppedOutLeadersDenial: three serve processes,
// one group per node; the two nodes that do not lead shard 0's group are
// SIGSTOPped. The view cannot be replaced (no majority), and its leader
// of the group reports, in its own polls, that it leads nothing. The
// cursor's shard line, the cache line and the leader's LEADS cell follow
// that report, not the old view (3d8affe, 10efa08); once the two are
// continued the shard line names a leader again.
func TestClusterPaneFollowsAStoppedOutLeadersDenial(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 64, Groups: 3})
	m, d, _ := consoleOn(t, pc.Addrs())
	d.until("connected, 3/3 alive", time.Minute, func() bool {
		return m.ConnState() == StateConnected && strings.Contains(m.View(), "nodes 3/3 alive")
	})
	var leader string
	d.until("shard 0's line names its leader", 20*time.Second, func() bool {
		leader = pc.LeaderOf(t, 0)
		line := lineWith(paneView(t, m, "Cluster"), "shard 0 ")
		return leader != "" && strings.Contains(line, "leader") && strings.Contains(line, leader+" ") && !strings.Contains(line, "no leader")
	})
	v := paneView(t, m, "Cluster")
	before := leadsCell(v, leader)
	if before == "" || before == "0" {
		t.Fatalf("%s leads shard 0 in the view, LEADS %q\n%s", leader, before, v)
	}
	var others []string
	for _, id := range pc.IDs() {
		if id != leader {
			others = append(others, id)
		}
	}
	t.Cleanup(func() {
		for _, id := range others {
			if pc.Paused(id) {
				pc.Resume(t, id)
			}
		}
	})
	for _, id := range others {
		pc.Pause(t, id)
	}
	took := d.until(leader+"'s own denial on the shard line", 20*time.Second, func() bool {
		return strings.Contains(lineWith(paneView(t, m, "Cluster"), "shard 0 "), "no leader: "+leader+" says it does not lead")
	})
	v = paneView(t, m, "Cluster")
	t.Logf("%s stopped: after %s: %q / %q, LEADS %s", strings.Join(others, ", "), took.Round(time.Millisecond),
		lineWith(v, "shard 0 "), lineWith(v, "client cache"), leadsCell(v, leader))
	if cache := lineWith(v, "client cache"); strings.Contains(cache, "agrees with the view") {
		t.Errorf("the cache line calls %s, which says it leads nothing, agreeing with the view: %q", leader, cache)
	}
	if got := leadsCell(v, leader); got != "0" {
		t.Errorf("%s says it leads nothing: LEADS %q (before the stop %s)\n%s", leader, got, before, v)
	}
	for _, id := range others {
		pc.Resume(t, id)
	}
	d.until("a leader on the shard line again", 30*time.Second, func() bool {
		line := lineWith(paneView(t, m, "Cluster"), "shard 0 ")
		return strings.Contains(line, "leader") && !strings.Contains(line, "no leader") && !strings.Contains(line, "does not lead")
	})
}

// TestKeysTitleCountLeavesWithTheNodesAndComesBack: every serve process
// killed under the console: the Keys title's "N keys in the cluster" (the
// groups' leaders' last reports) leaves once their polls fail, and comes
// back once the nodes, launched again, report (39c4c95).
func TestKeysTitleCountLeavesWithTheNodesAndComesBack(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 64, Groups: 3})
	m, d, c := consoleOn(t, pc.Addrs())
	d.until("connected, 3/3 alive", time.Minute, func() bool {
		return m.ConnState() == StateConnected && strings.Contains(m.View(), "nodes 3/3 alive")
	})
	putKeys(t, c, "count", 7, 0)
	const title = "7 keys in the cluster"
	d.until("the title counts the keys", 20*time.Second, func() bool {
		return strings.Contains(paneView(t, m, "Keys"), title)
	})
	for _, id := range pc.IDs() {
		pc.Kill(t, id)
	}
	took := d.until("the count leaves the title", 10*time.Second, func() bool {
		return !strings.Contains(paneView(t, m, "Keys"), "keys in the cluster")
	})
	t.Logf("every node killed: the count left the title after %s (%s)", took.Round(time.Millisecond), firstLineOf(m.View()))
	for _, id := range pc.IDs() {
		pc.Launch(t, id)
	}
	took = d.until("the count back in the title", 30*time.Second, func() bool {
		return strings.Contains(paneView(t, m, "Keys"), title)
	})
	t.Logf("launched again: back after %s", took.Round(time.Millisecond))
}

// TestTTLRescanFailedIsRunAgainWhenTheNodesAnswer: every serve process
// killed, the TTL pane's rescan fails ("rescan failed: connection ...");
// the nodes are launched again just after a background rescan, and the
// title is clean before the next one is due (rescanEvery ticks): the
// failed rescan ran again once a node answered its poll (6d41e34,
// 3467df1).
func TestTTLRescanFailedIsRunAgainWhenTheNodesAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	const rescanEvery = 10 // views/ttl's background rescan, in ticks
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 64, Groups: 3})
	m, d, c := consoleOn(t, pc.Addrs())
	d.until("connected, 3/3 alive", time.Minute, func() bool {
		return m.ConnState() == StateConnected && strings.Contains(m.View(), "nodes 3/3 alive")
	})
	putKeys(t, c, "ttl", 3, time.Hour)
	activate(t, m, "TTL")
	rescan := func() {
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
		d.run(cmd)
	}
	rescan()
	d.until("the TTL pane lists the keys", 20*time.Second, func() bool {
		return strings.Contains(paneView(t, m, "TTL"), "3 keys expiring")
	})
	for _, id := range pc.IDs() {
		pc.Kill(t, id)
	}
	rescan()
	// A scan with every node gone runs out the client's budget (about 5 s
	// here). One started after a background rescan ended outlasts the next
	// tick a background rescan is due at, which skips it (a scan runs):
	// when that one fails, the next background rescan is most of
	// rescanEvery ticks away.
	started := -1
	d.until("a rescan fails just after a background rescan was due", 3*rescanEvery*time.Second, func() bool {
		v := paneView(t, m, "TTL")
		scanning := strings.Contains(v, "scanning")
		if !scanning && m.ticks%rescanEvery == 6 && started < 0 {
			started = m.ticks
			rescan()
			return false
		}
		return started >= 0 && m.ticks > started && strings.Contains(v, "rescan failed") && !scanning &&
			m.ticks%rescanEvery >= 1 && m.ticks%rescanEvery <= 4
	})
	failed := lineWith(paneView(t, m, "TTL"), "")
	from := m.ticks
	for _, id := range pc.IDs() {
		pc.Launch(t, id)
	}
	// The ticks left before the next background rescan is sent.
	left := rescanEvery - from%rescanEvery - 1
	ticks, took := d.ticksUntil("the title clean before the next background rescan", left, func() bool {
		v := paneView(t, m, "TTL")
		return strings.Contains(v, "3 keys expiring") && !strings.Contains(v, "failed")
	})
	t.Logf("launched again at tick %d (title %q): clean after %d ticks, %s", from, failed, ticks, took.Round(time.Millisecond))
}

func firstLineOf(s string) string { return strings.SplitN(s, "\n", 2)[0] }
