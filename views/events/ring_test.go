package events

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// epochs feeds n topology changes (one node going suspect and back).
func epochs(m *Model, n int) {
	v := uitest.View(1, 3, 64, 2)
	m.Update(common.TopologyMsg{At: t0, View: v})
	for i := 1; i < n; i++ {
		nv := &client.ClusterView{Epoch: v.Epoch + 1, Nodes: append([]client.ClusterNode(nil), v.Nodes...), Shards: v.Shards}
		nv.Nodes[1].Role = map[bool]string{true: "suspect", false: "alive"}[i%2 == 1]
		m.Update(common.TopologyMsg{At: t0.Add(time.Duration(i) * time.Second), View: nv,
			Event: &client.TopologyEvent{PreviousEpoch: v.Epoch, CurrentEpoch: nv.Epoch}})
		v = nv
	}
}

func TestTimelineIsACappedRing(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	epochs(m, MaxEntries+250)
	es := m.Entries()
	if len(es) != MaxEntries || m.Dropped() != 250 {
		t.Fatalf("kept %d, dropped %d; want %d and 250", len(es), m.Dropped(), MaxEntries)
	}
	if es[0].Epoch != uint64(MaxEntries+250) || es[len(es)-1].Epoch != 251 {
		t.Fatalf("kept epochs %d..%d, want the newest", es[len(es)-1].Epoch, es[0].Epoch)
	}
	if v := m.View(); !strings.Contains(v, fmt.Sprintf("%d this session", MaxEntries+250)) || !strings.Contains(v, "oldest 250 let go") {
		t.Fatalf("title does not say events were let go:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	if len(m.Entries()) != 0 || m.Dropped() != 0 {
		t.Fatalf("clear left %d entries, %d dropped", len(m.Entries()), m.Dropped())
	}
}

func TestRingWrapsInOrder(t *testing.T) {
	r := newRing(3)
	for i := 1; i <= 7; i++ {
		r.push(Entry{Epoch: uint64(i)})
		es := r.newestFirst()
		if es[0].Epoch != uint64(i) || len(es) != min(i, 3) || es[len(es)-1].Epoch != uint64(max(1, i-2)) {
			t.Fatalf("after %d pushes: %+v", i, es)
		}
	}
}

// With the timeline scrolled, a click selects the entry drawn under it, and
// View changes nothing.
func TestClickOnAScrolledTimeline(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(60, 10)
	epochs(m, 30)
	for i := 0; i < 20; i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	uitest.RequirePureView(t, m, m.View)
	lines := strings.Split(m.View(), "\n")
	if strings.Contains(lines[1], "epoch 30") || m.top == 0 {
		t.Fatalf("not scrolled:\n%s", m.View())
	}
	for y := 1; y < len(lines); y++ {
		i := strings.Index(lines[y], "epoch ")
		if i < 0 {
			continue
		}
		want := strings.Fields(lines[y][i:])[3] // "epoch 17 -> 18": the entry's epoch
		m.Update(tea.MouseMsg{X: 3, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
		if got := fmt.Sprint(m.visible()[m.cursor].Epoch); got != want {
			t.Fatalf("click on %q selected epoch %s", lines[y], got)
		}
	}
}

// TestRingMoveToNewest: moving an entry to the newest place in a ring that
// wrapped keeps the others in order and renumbers the newer ones; an entry
// let go is not moved.
func TestRingMoveToNewest(t *testing.T) {
	r := newRing(4)
	for i := 0; i < 6; i++ { // entries 2..5 held, the buffer wrapped
		r.push(Entry{Epoch: uint64(i)})
	}
	if _, ok := r.moveToNewest(1); ok {
		t.Fatal("entry 1, let go, moved")
	}
	seq, ok := r.moveToNewest(3)
	if !ok || seq != 5 {
		t.Fatalf("moveToNewest(3) = %d, %v; want 5", seq, ok)
	}
	var got []uint64
	for _, e := range r.newestFirst() {
		got = append(got, e.Epoch)
	}
	if fmt.Sprint(got) != "[3 5 4 2]" {
		t.Fatalf("after moving 3 to the newest: %v, want [3 5 4 2]", got)
	}
	if e, _ := r.at(4); e.Epoch != 5 {
		t.Errorf("entry 5 is number 4 now, at(4) = %d", e.Epoch)
	}
}
