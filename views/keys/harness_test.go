package keys

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// harness drives a pane like the root does: it runs every command the pane
// returns and feeds the messages back, keeping what would go to the root.
type harness struct {
	t       testing.TB
	m       *Model
	results []common.OpResultMsg
	errs    []error
	actions []common.Action
}

func newHarness(t testing.TB, c common.Common, w, h int) *harness {
	m := New(c)
	m.loc = time.UTC
	m.SetSize(w, h)
	return &harness{t: t, m: m}
}

func (h *harness) send(msg tea.Msg) { h.run(h.m.Update(msg)) }

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case common.OpResultMsg:
		h.results = append(h.results, msg)
	case common.ErrorMsg:
		h.errs = append(h.errs, msg.Err)
	case common.RunActionMsg:
		h.actions = append(h.actions, msg.Action)
	default:
		h.send(msg)
	}
}

// press sends key presses: names like "enter", "esc", "ctrl+s", or runes.
func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText types s one rune at a time.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// lastAction returns the action the pane last asked the root to run.
func (h *harness) lastAction() common.Action {
	h.t.Helper()
	if len(h.actions) == 0 {
		h.t.Fatal("the pane asked for no palette action")
	}
	return h.actions[len(h.actions)-1]
}

// lastResult returns the last operation result sent to the status line.
func (h *harness) lastResult() common.OpResultMsg {
	h.t.Helper()
	if len(h.results) == 0 {
		h.t.Fatal("no operation result")
	}
	return h.results[len(h.results)-1]
}

func keyMsg(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"ctrl+s": tea.KeyCtrlS, "ctrl+r": tea.KeyCtrlR, "ctrl+o": tea.KeyCtrlO, "backspace": tea.KeyBackspace,
		"end": tea.KeyEnd, "home": tea.KeyHome, "pgdown": tea.KeyPgDown,
	}
	if t, ok := types[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// sampleEntries is a page like the embedded cluster's sample data, with a
// binary key, in key order.
func sampleEntries() []client.KeyEntry {
	e := func(k string, size uint64, term, index uint64, ttl time.Duration) client.KeyEntry {
		ke := client.KeyEntry{Key: []byte(k), Shard: client.ShardForKey([]byte(k), 1024), Size: size, Version: client.Version{Term: term, Index: index}}
		if ttl > 0 {
			ke.ExpiresAt = t0.Add(ttl)
		}
		return ke
	}
	return []client.KeyEntry{
		e("\x00\x01bin", 6, 2, 17, 0),
		e("cache:homepage", 16, 2, 12, 4*time.Minute+12*time.Second),
		e("config:feature-flags", 38, 3, 9, 0),
		e("counter:visits", 2, 3, 10, 0),
		e("lock:nightly-report", 8, 2, 14, 42*time.Second),
		e("session:7f3a9c", 17, 3, 11, 29*time.Minute+48*time.Second),
		e("user:1", 38, 3, 45, 0),
		e("user:2", 35, 2, 6, 0),
		e("user:3", 36, 2, 7, 0),
	}
}

// loaded returns a pane without a client showing the sample page.
func loaded(t testing.TB, w, h int) *harness {
	hs := newHarness(t, uitest.Common(), w, h)
	hs.send(common.TickMsg{At: t0})
	hs.send(pageMsg{reqID: hs.m.listReq, at: t0, latency: 3 * time.Millisecond,
		res: &client.ScanResult{Entries: sampleEntries(), NextCursor: []byte("user:3")}})
	return hs
}

// detailOf is what Get answers for user:1.
func detailOf() *client.GetResult {
	return &client.GetResult{
		Value:   []byte(`{"name":"Ada Lovelace","role":"admin"}`),
		Version: client.Version{Term: 3, Index: 45},
		Meta:    map[string]string{"shard": "17", "served_by": "n2"},
	}
}

// openDetail opens the selected key and answers its read with res.
func (h *harness) openDetail(res *client.GetResult) {
	h.press("enter")
	k, _ := h.m.Detail()
	h.send(detailMsg{reqID: h.m.detailReq, key: k, at: t0, res: res})
}

func tick(at time.Time) common.TickMsg { return common.TickMsg{At: at} }
