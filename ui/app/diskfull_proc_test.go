//go:build linux

package app

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/norikv/norikv-console/server/proccluster"
	"github.com/norikv/norikv-console/ui"
)

// TestConsoleShowsAFullDisk: 3 serve --fsync processes, n2's data dir on a
// 96 MiB tmpfs that is then filled. The console, as a user runs it
// (--nodes), shows it from n2's own report: the status line and the
// Cluster pane say its disk is full and where writes go, the Events pane
// notes it; once the filler is deleted, "n2 storage writable again". It
// skips, saying why, where mounting a tmpfs is not permitted.
func TestConsoleShowsAFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and fills a tmpfs")
	}
	const full = "n2"
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 48, Groups: 3, Fsync: true,
		DiskLimit: map[string]int64{full: 96 << 20}})
	f, err := ParseFlags([]string{"--nodes", strings.Join(pc.Addrs(), ","), "--shards", "48"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(f, emptyFile())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sess, err := Start(ctx, s, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Close() })
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	m, err := NewModel(s, sess, r)
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 40))
	waitLong(t, tm, "nodes 3/3 alive", "connected")

	filled := pc.FillDisk(t, full, 0)
	t.Logf("filled %s's disk with %d MiB", full, filled>>20)
	waitLong(t, tm, "disk full", "writes go to n1, n3")
	tm.Type("2")
	waitLong(t, tm, "n2 disk full (no space left on device): leads no group until it can write")

	pc.FreeDisk(t, full)
	waitLong(t, tm, "n2 storage writable again")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*ui.Model)
	if !ok {
		t.Fatal("the final model is not the console's")
	}
	var warned, back int
	for _, e := range final.Messages() {
		if strings.Contains(e.Text, "n2: disk full (no space left on device): it leads no group until it can write") {
			warned++
		}
		if strings.Contains(e.Text, "n2 storage writable again") {
			back++
		}
	}
	if warned != 1 || back != 1 {
		t.Errorf("message log: the full disk %d times, its end %d times, want once each: %v", warned, back, final.Messages())
	}
}

// waitLong is waitFor with a minute: serve processes on a busy machine.
func waitLong(t *testing.T, tm *teatest.TestModel, what ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range what {
			if !strings.Contains(string(b), w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(time.Minute), teatest.WithCheckInterval(50*time.Millisecond))
}
