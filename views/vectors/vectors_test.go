package vectors

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sampleIndexes is a listing as the embedded cluster reports it.
func sampleIndexes() []client.VectorIndexInfo {
	return []client.VectorIndexInfo{
		{Namespace: "docs", Dimensions: 3, Distance: client.DistanceCosine, IndexType: client.IndexHNSW, Count: 1200, Bytes: 5 << 20,
			Shard: 412, M: 16, EfConstruction: 200, EfSearch: 64, ServedBy: "n2", FromLeader: true},
		{Namespace: "docs-exact", Dimensions: 3, Distance: client.DistanceCosine, IndexType: client.IndexBruteForce, Count: 1200, Bytes: 14 << 10,
			Shard: 77, ServedBy: "n1", FromLeader: true},
		{Namespace: "images", Dimensions: 768, Distance: client.DistanceInnerProduct, IndexType: client.IndexHNSW, Count: 20000, Bytes: 70 << 20,
			Shard: 901, M: 32, EfConstruction: 400, EfSearch: 128, ServedBy: "n3"},
	}
}

func matches(n int) []client.VectorMatch {
	out := make([]client.VectorMatch, n)
	for i := range out {
		out[i] = client.VectorMatch{ID: fmt.Sprintf("doc-%d", 17+i*3), Distance: 0.01 + float32(i)*0.0375}
	}
	return out
}

// fed returns a pane at w x h with a listing, a search result with a recall
// check and a latency history, all fed as messages.
func fed(w, h int) *Model {
	m := New(uitest.Common())
	m.SetSize(w, h)
	m.Update(common.TickMsg{At: t0})
	m.Update(listMsg{at: t0.Add(-2 * time.Second), indexes: sampleIndexes()})
	m.inputs[fieldQuery].SetValue("0.1, 0.2, 0.3")
	m.inputs[fieldEf].SetValue("32")
	req, err := m.buildRequest()
	if err != nil {
		panic(err)
	}
	for i := 0; i < 20; i++ {
		m.Update(searchMsg{req: req, at: t0, query: req.query, rtt: time.Duration(800+40*(i%7)) * time.Microsecond,
			res: &client.VectorSearchResult{Matches: matches(10), SearchTimeUs: uint64(150 + 20*(i%5))}})
	}
	want := matches(10)
	want[9] = client.VectorMatch{ID: "doc-99", Distance: 0.3}
	m.Update(searchMsg{req: req, at: t0, query: req.query, rtt: 1200 * time.Microsecond,
		res:    &client.VectorSearchResult{Matches: matches(10), SearchTimeUs: 210},
		recall: &recallResult{ref: "docs", exact: true, refEf: RecallEf, hit: 9, of: 10, refTime: 3 * time.Millisecond, refServer: 2100 * time.Microsecond, refMatch: want}})
	return m
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, []byte(fed(sz[0], sz[1]).View()))
		})
	}
}

func TestExactSizeAtEverySize(t *testing.T) {
	for _, sz := range uitest.Sizes {
		empty := New(uitest.Common())
		empty.SetSize(sz[0], sz[1])
		uitest.RequireSize(t, empty.View(), sz[0], sz[1])
		m := fed(sz[0], sz[1])
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
		m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
	}
}

// TestGoldenUpstreamByID: a server without the listing, a namespace typed
// by hand, a by-id search with vectors shown.
func TestGoldenUpstreamByID(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(100, 24)
	m.Update(common.TickMsg{At: t0})
	m.Update(listMsg{at: t0, err: fmt.Errorf("list vector indexes: %w", client.ErrUnsupported)})
	m.inputs[fieldNS].SetValue("legacy")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("m")})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("v")})
	m.idInput.SetValue("doc-1")
	req, err := m.buildRequest()
	if err != nil {
		t.Fatal(err)
	}
	ms := []client.VectorMatch{
		{ID: "doc-1", Distance: 0, Vector: []float32{0.5, -0.25, 1, 0, 0.125, 3}},
		{ID: "doc-7", Distance: 0.8125, Vector: []float32{0.5, 0.25, 1, 0, 0.125, 2.5}},
		{ID: "doc-3", Distance: 1.5, Vector: []float32{-1, -0.25, 1, 0.75, 0.125, 3}},
	}
	m.Update(searchMsg{req: req, at: t0, query: ms[0].Vector, rtt: 2 * time.Millisecond,
		res: &client.VectorSearchResult{Matches: ms, SearchTimeUs: 35}})
	golden.RequireEqual(t, []byte(m.View()))
}

// TestGoldenSweep: an ef sweep of a query whose default ef misses.
func TestGoldenSweep(t *testing.T) {
	m := listed(100, 40)
	m.inputs[fieldQuery].SetValue("0.5 0.5 0.5")
	req, err := m.buildRequest()
	if err != nil {
		t.Fatal(err)
	}
	ms := matches(10)
	m.Update(searchMsg{req: req, at: t0, query: req.query, rtt: 400 * time.Microsecond,
		res:    &client.VectorSearchResult{Matches: ms, SearchTimeUs: 12},
		recall: &recallResult{ref: "docs", exact: true, refEf: RecallEf, hit: 3, of: 10, refTime: 900 * time.Microsecond, refServer: 80 * time.Microsecond},
		sweep: []sweepPoint{{ef: 10, hit: 3, of: 10, server: 12 * time.Microsecond, rtt: 300 * time.Microsecond},
			{ef: 20, hit: 6, of: 10, server: 20 * time.Microsecond, rtt: 310 * time.Microsecond},
			{ef: 40, hit: 9, of: 10, server: 31 * time.Microsecond, rtt: 330 * time.Microsecond},
			{ef: 80, hit: 10, of: 10, server: 52 * time.Microsecond, rtt: 360 * time.Microsecond}}})
	golden.RequireEqual(t, []byte(m.View()))
}

func TestEfsFor(t *testing.T) {
	for k, want := range map[int]string{1: "[1 10 20 40 80 160 320]", 10: "[10 20 40 80 160 320 640]", 100: "[100 160 320 640]", 1000: "[1000]"} {
		if got := fmt.Sprint(efsFor(k)); got != want {
			t.Errorf("efsFor(%d) = %s, want %s", k, got, want)
		}
	}
}

// TestNamespaceShownAfterLateSize: a listing that arrives before the pane
// has a size still shows the selected namespace in full once it has one.
func TestNamespaceShownAfterLateSize(t *testing.T) {
	m := New(uitest.Common())
	m.Update(listMsg{at: t0, indexes: sampleIndexes()})
	m.SetSize(120, 40)
	if v := m.View(); !strings.Contains(v, "namespace> docs ") && !strings.Contains(v, "namespace> docs\\n") {
		if !strings.Contains(v, "namespace> docs") {
			t.Fatalf("namespace field does not show docs:\\n%s", v)
		}
	}
}
