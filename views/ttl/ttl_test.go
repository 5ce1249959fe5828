package ttl

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// harness runs the pane's commands synchronously and keeps what the root
// would have received.
type harness struct {
	t       *testing.T
	m       *Model
	fb      *fakebackend.Backend
	now     time.Time
	results []common.OpResultMsg
	actions []common.Action
	errs    []error
}

func newHarness(t *testing.T, readOnly bool, w, h int) *harness {
	hs := &harness{t: t, now: t0}
	hs.fb = fakebackend.New(func() time.Time { return hs.now }, 1024)
	c := uitest.Common()
	c.Data, c.ReadOnly = hs.fb, readOnly
	hs.m = New(c)
	hs.m.clock = &clock{now: func() time.Time { return hs.now }}
	hs.m.SetSize(w, h)
	return hs
}

func (h *harness) put(k string, ttl time.Duration) {
	h.t.Helper()
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	if _, err := h.fb.Put(ctx, []byte(k), []byte("v:"+k), &client.PutOptions{TTL: ttl}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case common.OpResultMsg:
		h.results = append(h.results, msg)
	case common.RunActionMsg:
		h.actions = append(h.actions, msg.Action)
	case common.ErrorMsg:
		h.errs = append(h.errs, msg.Err)
	case nil:
	default:
		h.run(h.m.Update(msg))
	}
}

func (h *harness) press(keys ...string) {
	for _, k := range keys {
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		switch k {
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "space":
			msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")}
		}
		h.run(h.m.Update(msg))
	}
}

func (h *harness) keys() string {
	var out []string
	for _, e := range h.m.rows {
		out = append(out, e.key)
	}
	return strings.Join(out, " ")
}

func seeded(t *testing.T, w, h int) *harness {
	hs := newHarness(t, false, w, h)
	hs.put("session:a", 30*time.Second)
	hs.put("session:b", 5*time.Minute)
	hs.put("cache:page:1", 2*time.Hour)
	hs.put("cache:page:2", 50*time.Minute)
	hs.put("lock:job", 90*time.Second)
	hs.put("user:1", 0) // no TTL: not listed
	hs.run(hs.m.Init())
	return hs
}

func TestListsSoonestFirstAndKeysLeaveAsTheyExpire(t *testing.T) {
	h := seeded(t, 80, 24)
	if got := h.keys(); got != "session:a lock:job session:b cache:page:2 cache:page:1" {
		t.Fatalf("rows: %q", got)
	}
	if h.m.scanned != 6 {
		t.Fatalf("scanned %d, want 6", h.m.scanned)
	}
	h.now = t0.Add(31 * time.Second)
	h.run(h.m.Update(common.TickMsg{At: h.now}))
	if got := h.keys(); strings.Contains(got, "session:a") {
		t.Fatalf("expired key still listed: %q", got)
	}
	if !strings.Contains(h.m.View(), "59s") { // lock:job counts down live
		t.Fatalf("no live countdown:\n%s", h.m.View())
	}
}

func TestBucketsCountExpiriesPerSlice(t *testing.T) {
	h := seeded(t, 80, 24)
	got := buckets(h.m.rows, t0, time.Hour, 60)
	want := map[int]int{0: 1, 1: 1, 5: 1, 50: 1}
	for i, c := range got {
		if c != want[i] {
			t.Fatalf("minute %d: %d keys, want %d (all %v)", i, c, want[i], got)
		}
	}
	if got := buckets(h.m.rows, t0, 24*time.Hour, 24); got[0] != 4 || got[2] != 1 {
		t.Fatalf("hours: %v", got)
	}
}

func TestBulkExtendAndClearRewriteEachKeyAsCAS(t *testing.T) {
	h := seeded(t, 80, 24)
	h.press("space", "space") // session:a, lock:job
	if len(h.m.selected) != 2 {
		t.Fatalf("selected %v", h.m.selected)
	}
	h.press("e")
	if len(h.actions) != 1 || h.actions[0].Prompt == "" {
		t.Fatalf("e did not ask for a duration: %+v", h.actions)
	}
	putsBefore := h.fb.Calls("Put")
	h.run(h.actions[0].Run("1h"))
	if len(h.results) != 1 || h.results[0].Err != nil || !strings.Contains(h.results[0].Op, "2 keys by 1h0m0s") {
		t.Fatalf("result: %+v", h.results)
	}
	if n := h.fb.Calls("Put") - putsBefore; n != 2 {
		t.Fatalf("%d puts, want 2", n)
	}
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	got, _ := h.fb.Get(ctx, []byte("session:a"), nil)
	if want := t0.Add(time.Hour + 30*time.Second); !got.ExpiresAt().Equal(want) {
		t.Fatalf("session:a expires %v, want %v", got.ExpiresAt(), want)
	}
	if string(got.Value) != "v:session:a" {
		t.Fatalf("value changed: %q", got.Value)
	}

	// Clear with no selection acts on the key under the cursor.
	h.m.selected = map[string]bool{}
	h.m.cursor = 0
	first := h.m.rows[0].key
	h.press("c")
	h.run(h.actions[1].Run(""))
	got, _ = h.fb.Get(ctx, []byte(first), nil)
	if !got.ExpiresAt().IsZero() {
		t.Fatalf("%s still expires at %v", first, got.ExpiresAt())
	}
	if strings.Contains(h.keys(), first) {
		t.Fatalf("%s still listed after its TTL was cleared: %q", first, h.keys())
	}
}

func TestExtendRefusesABadDurationAndReadOnly(t *testing.T) {
	h := seeded(t, 80, 24)
	h.press("e")
	h.run(h.actions[0].Run("soon"))
	if len(h.errs) != 1 || !strings.Contains(h.errs[0].Error(), "positive duration") {
		t.Fatalf("errs: %v", h.errs)
	}
	ro := newHarness(t, true, 80, 24)
	ro.put("k", time.Minute)
	ro.run(ro.m.Init())
	ro.press("e", "c")
	if len(ro.actions) != 0 || len(ro.results) != 2 || !strings.Contains(ro.results[0].Err.Error(), "read-only") {
		t.Fatalf("read-only: actions %d results %+v", len(ro.actions), ro.results)
	}
}

func TestBulkCountsVanishedKeys(t *testing.T) {
	h := seeded(t, 80, 24)
	// A key deleted before the rewrite is counted, not failed.
	cmd := bulkCmd(h.m.common, "extend", []string{"session:a", "gone"}, func(time.Time) time.Duration { return time.Minute })
	r := cmd().(bulkMsg)
	if r.done != 1 || r.gone != 1 {
		t.Fatalf("%+v", r)
	}
}

func TestSortIsStableAcrossRefreshesAndShownInHeader(t *testing.T) {
	h := seeded(t, 80, 24)
	h.m.SetSort(common.SortState{Column: "key"})
	if got := h.keys(); got != "cache:page:1 cache:page:2 lock:job session:a session:b" {
		t.Fatalf("by key: %q", got)
	}
	h.m.SetSort(common.SortState{Column: "ttl", Desc: true})
	h.run(h.m.Update(common.DataChangedMsg{}))
	if got := h.keys(); got != "cache:page:1 cache:page:2 session:b lock:job session:a" {
		t.Fatalf("by ttl desc after a rescan: %q", got)
	}
	if v := h.m.View(); !strings.Contains(v, "sort: ttl ↓") || !strings.Contains(v, "SHARD") {
		t.Fatalf("sort not in the header:\n%s", h.m.View())
	}
}

func TestCopyKeyAndTable(t *testing.T) {
	h := seeded(t, 80, 24)
	what, text, ok := h.m.CopyTarget()
	if !ok || text != "session:a" || what != `key "session:a"` {
		t.Fatalf("%q %q %v", what, text, ok)
	}
	_, tsv, ok := h.m.CopyTable()
	lines := strings.Split(strings.TrimSpace(tsv), "\n")
	if !ok || len(lines) != 6 || !strings.HasPrefix(lines[1], "session:a\t30s\t") {
		t.Fatalf("tsv:\n%s", tsv)
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := seeded(t, sz[0], sz[1])
			h.press("down", "space")
			v := h.m.View()
			uitest.RequireSize(t, v, sz[0], sz[1])
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func TestViewIsPure(t *testing.T) {
	h := seeded(t, 80, 24)
	uitest.RequirePureView(t, h.m, h.m.View)
}

// racing rewrites every key right after the inspector reads it: another
// writer winning the race between the read and the compare-and-swap.
type racing struct{ *fakebackend.Backend }

func (r racing) Get(ctx context.Context, key []byte, opts *client.GetOptions) (*client.GetResult, error) {
	got, err := r.Backend.Get(ctx, key, opts)
	if err == nil {
		_, err = r.Backend.Put(ctx, key, []byte("theirs"), nil)
	}
	return got, err
}

func TestCASConflictIsLeftAlone(t *testing.T) {
	h := seeded(t, 80, 24)
	c := h.m.common
	c.Data = racing{h.fb}
	r := bulkCmd(c, "extend", []string{"session:a"}, func(time.Time) time.Duration { return time.Hour })().(bulkMsg)
	if r.conflicts != 1 || r.done != 0 {
		t.Fatalf("%+v", r)
	}
	if res := r.result(); res.Err != nil || !strings.Contains(res.Info, "changed meanwhile") {
		t.Fatalf("%+v", res)
	}
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	if got, _ := h.fb.Get(ctx, []byte("session:a"), nil); string(got.Value) != "theirs" {
		t.Fatalf("their write was overwritten: %q", got.Value)
	}
}

func TestEscClearsTheSelectionAndClicksSelectRows(t *testing.T) {
	h := seeded(t, 80, 24)
	if used, _ := h.m.Back(); used {
		t.Fatal("esc used with nothing selected: the root should go back")
	}
	h.press("a")
	if used, _ := h.m.Back(); !used || len(h.m.selected) != 0 {
		t.Fatalf("esc: used %v, %d still selected", used, len(h.m.selected))
	}
	h.m.Update(tea.MouseMsg{X: 5, Y: h.m.tableTop() + 2, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if h.m.cursor != 2 {
		t.Fatalf("click on the third row: cursor %d", h.m.cursor)
	}
	h.m.Update(tea.MouseMsg{Button: tea.MouseButtonWheelUp})
	if h.m.cursor != 1 {
		t.Fatalf("wheel up: cursor %d", h.m.cursor)
	}
}
