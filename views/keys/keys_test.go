package keys

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
	"github.com/norikv/norikv-console/ui/uitest"
)

func TestStalePageRepliesAreDropped(t *testing.T) {
	h := loaded(t, 80, 24)
	h.m.listReq = 5
	h.send(pageMsg{reqID: 4, at: t0, res: &client.ScanResult{Entries: sampleEntries()[:1], Done: true}})
	if n := len(h.m.Entries()); n != 9 {
		t.Fatalf("an older scan reply replaced the page: %d entries", n)
	}
	h.send(pageMsg{reqID: 5, at: t0, res: &client.ScanResult{Entries: sampleEntries()[:2], Done: true}})
	if n := len(h.m.Entries()); n != 2 || !h.m.done {
		t.Fatalf("the current reply was not shown: %d entries", n)
	}
	h.send(pageMsg{reqID: 5, at: t0, err: errors.New("list keys: boom")})
	if v := h.m.View(); !strings.Contains(v, "✗ list keys: boom (r retries)") {
		t.Errorf("scan error not shown:\n%s", v)
	}
}

func TestPagingKeepsACursorStack(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("]")
	if h.m.Page() != 2 || string(h.m.pages[1]) != "user:3" {
		t.Fatalf("next page: page %d, cursors %q", h.m.Page(), h.m.pages)
	}
	h.send(pageMsg{reqID: h.m.listReq, at: t0, res: &client.ScanResult{Entries: []client.KeyEntry{{Key: []byte("user:4")}}, Done: true}})
	if !strings.Contains(h.m.View(), "keys 10-10 · last page") {
		t.Errorf("second page footer:\n%s", h.m.View())
	}
	h.press("n")
	if h.m.Page() != 2 || len(h.errs) != 1 || !strings.Contains(h.errs[0].Error(), "last page") {
		t.Fatalf("next past the end: page %d, errors %v", h.m.Page(), h.errs)
	}
	h.press("[")
	if h.m.Page() != 1 || h.m.pages[0] != nil {
		t.Fatalf("previous page: page %d", h.m.Page())
	}
	h.press("p")
	if len(h.errs) != 2 || !strings.Contains(h.errs[1].Error(), "first page") {
		t.Fatalf("previous before the first page: %v", h.errs)
	}
}

func TestFilterIsAPrefixAppliedAtOnce(t *testing.T) {
	h := loaded(t, 80, 24)
	h.m.SetFilter("user:")
	if n := len(h.m.Entries()); n != 3 {
		t.Fatalf("prefix user: keeps %d loaded keys, want 3", n)
	}
	v := h.m.View()
	if !strings.Contains(v, `prefix "user:"`) || !strings.Contains(v, "scanning…") || strings.Contains(v, "cache:homepage") {
		t.Errorf("filtered view:\n%s", v)
	}
	h.m.SetFilter("nope:")
	if v := h.m.View(); len(h.m.Entries()) != 0 || !strings.Contains(v, `no key starts with "nope:"`) {
		t.Errorf("empty prefix match:\n%s", v)
	}
}

func TestDetailCountsDownAndEscGoesBack(t *testing.T) {
	h := loaded(t, 80, 24)
	res := detailOf()
	res.Meta["expires_at_ms"] = fmt.Sprint(t0.Add(70 * time.Second).UnixMilli())
	h.openDetail(res)
	if h.m.Mode() != "detail" || !strings.Contains(h.m.View(), "TTL 1m10s left") {
		t.Fatalf("detail:\n%s", h.m.View())
	}
	h.send(tick(t0.Add(11 * time.Second)))
	if !strings.Contains(h.m.View(), "TTL 59s left") {
		t.Fatalf("the TTL did not count down with the tick:\n%s", h.m.View())
	}
	h.send(tick(t0.Add(71 * time.Second)))
	if !strings.Contains(h.m.View(), "TTL expired at 2026-01-02 03:05:15 UTC") {
		t.Fatalf("expiry not shown:\n%s", h.m.View())
	}
	if used, _ := h.m.Back(); !used || h.m.Mode() != "list" {
		t.Fatalf("Back from the detail: used %v, mode %s", used, h.m.Mode())
	}
	if used, _ := h.m.Back(); used {
		t.Fatal("Back in the list must leave esc to the root")
	}
}

func TestDetailShowsErrorsAndHex(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("enter")
	k, _ := h.m.Detail()
	h.send(detailMsg{reqID: h.m.detailReq, key: k, at: t0, err: errors.New("read x: norikv: key not found")})
	if v := h.m.View(); !strings.Contains(v, "✗ read x: norikv: key not found") || !strings.Contains(v, "r read again") {
		t.Errorf("missing key view:\n%s", v)
	}
	h.send(detailMsg{reqID: h.m.detailReq, key: k, at: t0, res: &client.GetResult{Value: []byte("hi"), Version: client.Version{Term: 1, Index: 2}}})
	h.press("x")
	if v := h.m.View(); !strings.Contains(v, "00000000  68 69") || !strings.Contains(v, "text, hex dump") {
		t.Errorf("x did not switch to a hex dump:\n%s", v)
	}
	// An answer for a request that is no longer current is dropped.
	h.send(detailMsg{reqID: h.m.detailReq - 1, key: k, at: t0, res: &client.GetResult{Value: []byte("old")}})
	if _, r := h.m.Detail(); string(r.Value) != "hi" {
		t.Errorf("stale read replaced the detail: %q", r.Value)
	}
}

func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	c := uitest.Common()
	c.ReadOnly = true
	h := newHarness(t, c, 80, 24)
	h.send(pageMsg{reqID: 0, at: t0, res: &client.ScanResult{Entries: sampleEntries(), Done: true}})
	h.press("a")
	h.openDetail(detailOf())
	h.press("e")
	for _, r := range h.results {
		if !errors.Is(r.Err, ops.ErrReadOnly) {
			t.Errorf("%s: err %v, want read-only", r.Op, r.Err)
		}
	}
	if len(h.results) != 2 || h.m.CapturingInput() || h.m.Mode() != "detail" {
		t.Fatalf("results %d, capturing %v, mode %s", len(h.results), h.m.CapturingInput(), h.m.Mode())
	}
	// TTL and delete are refused at once: no prompt, no confirmation.
	h.press("t")
	h.press("d")
	h.press("esc", "t", "d", "a", "e") // and from the list
	if len(h.actions) != 0 {
		t.Fatalf("a write key asked the palette for %q on a read-only profile", h.actions[0].Title)
	}
	if len(h.results) != 8 {
		t.Fatalf("want 8 refusals, got %+v", h.results)
	}
	for _, r := range h.results {
		if !errors.Is(r.Err, ops.ErrReadOnly) || !strings.Contains(r.Err.Error(), "read-only profile") {
			t.Errorf("%s: %v", r.Op, r.Err)
		}
	}
	// The palette lists the writes as disabled (dimmed, refused without a prompt).
	for _, a := range h.m.Actions() {
		write := strings.HasPrefix(a.Title, "Edit") || strings.HasPrefix(a.Title, "Set TTL") || strings.HasPrefix(a.Title, "Delete") || strings.HasPrefix(a.Title, "Put")
		if write != (a.Disabled != nil) {
			t.Errorf("action %q: disabled %v", a.Title, a.Disabled)
		}
	}
	// Help shows them marked off.
	for _, b := range h.m.ShortHelp() {
		if h.m.isWrite(b) != common.IsReadOnlyHelp(b.Help().Desc) {
			t.Errorf("help for %s: %q", b.Help().Key, b.Help().Desc)
		}
	}
}

// Below the UI: the actions' Run and the write command refuse on their own,
// whatever path reached them.
func TestReadOnlyActionLayerRefuses(t *testing.T) {
	c := uitest.Common()
	c.ReadOnly = true
	h := newHarness(t, c, 80, 24)
	tg := target{key: []byte("k"), version: client.Version{Term: 1, Index: 2}}
	h.run(h.m.ttlAction(tg).Run("5m"))
	h.run(h.m.deleteAction(tg).Run(""))
	h.run(h.m.write(writeOp{kind: writeNew, key: []byte("k"), value: []byte("v")}))
	if len(h.results) != 3 {
		t.Fatalf("results %+v", h.results)
	}
	for _, r := range h.results {
		if !errors.Is(r.Err, ops.ErrReadOnly) {
			t.Errorf("%s: %v", r.Op, r.Err)
		}
	}
}

func TestEditorCapturesKeysAndEditsBinaryAsHex(t *testing.T) {
	h := loaded(t, 80, 24)
	h.openDetail(&client.GetResult{Value: []byte{0, 1, 0xff}, Version: client.Version{Term: 2, Index: 17}})
	h.press("e")
	if !h.m.CapturingInput() || !h.m.edit.hex || h.m.edit.area.Value() != "00 01 ff" {
		t.Fatalf("binary value editor: capturing %v hex %v text %q", h.m.CapturingInput(), h.m.edit.hex, h.m.edit.area.Value())
	}
	h.press("end")
	h.typeText(" 4")
	h.press("ctrl+s") // odd digit count: refused before any write
	if h.m.edit.err == nil || !strings.Contains(h.m.View(), "odd number of digits") {
		t.Fatalf("bad hex accepted:\n%s", h.m.View())
	}
	h.typeText("1")
	if v, err := h.m.edit.value(); err != nil || string(v) != "\x00\x01\xffA" {
		t.Fatalf("hex value %q, %v", v, err)
	}
	h.press("esc")
	if h.m.CapturingInput() || h.m.Mode() != "detail" {
		t.Fatal("esc did not leave the editor")
	}
	// Text that the text area would change (a tab) is edited as hex too.
	h.openDetail(&client.GetResult{Value: []byte("a\tb"), Version: client.Version{Term: 2, Index: 18}})
	h.press("e")
	if !h.m.edit.hex {
		t.Fatal("a value with a tab opened as text: saving would have changed it")
	}
}

func TestNewKeyFormValidatesAndWarnsOnExistingKey(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("a")
	if !h.m.CapturingInput() || h.m.Mode() != "new" {
		t.Fatal("a did not open the form")
	}
	h.typeText("q") // a letter that would quit outside the form
	h.press("tab")
	h.typeText("soon")
	h.press("ctrl+s")
	if h.m.form.err == nil || !strings.Contains(h.m.View(), `TTL "soon" is not a duration`) || h.m.form.focus != 1 {
		t.Fatalf("bad TTL:\n%s", h.m.View())
	}
	// The write's answer that the key exists turns into a warning; saving
	// again overwrites that version.
	v := client.Version{Term: 4, Index: 9}
	h.send(writeMsg{op: writeOp{kind: writeNew, key: []byte("q")}, err: errKeyExists, exists: &v})
	if !strings.Contains(h.m.View(), "q exists (version 4/9): ctrl+s again overwrites it") {
		t.Fatalf("exists warning:\n%s", h.m.View())
	}
	h.press("shift+tab") // from the TTL field back to the key field
	h.typeText("2")
	if strings.Contains(h.m.View(), "exists") {
		t.Fatalf("the warning stayed after the key changed:\n%s", h.m.View())
	}
	h.press("esc")
	if h.m.Mode() != "list" {
		t.Fatal("esc did not close the form")
	}
}

func TestWriteResultsReachTheStatusLine(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("G", "up", "up")
	h.openDetail(detailOf())
	k, _ := h.m.Detail()
	h.send(writeMsg{op: writeOp{kind: writeTTL, key: k, ttl: 5 * time.Minute}, version: client.Version{Term: 3, Index: 60}, latency: time.Millisecond})
	r := h.lastResult()
	if r.Err != nil || r.Op != "set the TTL of user:1 to 5m" || r.Info != "TTL 5m, version 3/60" {
		t.Fatalf("TTL result %+v", r)
	}
	se := &staleError{expected: client.Version{Term: 3, Index: 45}, current: client.Version{Term: 3, Index: 61}}
	h.send(writeMsg{op: writeOp{kind: writeDelete, key: k}, err: se})
	if v := h.m.View(); !strings.Contains(v, "conflict: user:1 is now version 3/61, you read 3/45") {
		t.Fatalf("conflict on the detail:\n%s", v)
	}
	h.send(writeMsg{op: writeOp{kind: writeDelete, key: k}, tombstoned: true})
	if h.m.Mode() != "list" || h.lastResult().Info != "deleted" {
		t.Fatalf("after delete: mode %s, result %+v", h.m.Mode(), h.lastResult())
	}
}

func TestActionsFollowTheSelection(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("G")
	titles := map[string]common.Action{}
	for _, a := range h.m.Actions() {
		titles[a.Title] = a
	}
	for _, want := range []string{"Open key user:3", "Edit key user:3", "Set TTL of key user:3", "Delete key user:3", "Put a new key", "Next page of keys", "Refresh keys"} {
		if _, ok := titles[want]; !ok {
			t.Errorf("palette lacks %q", want)
		}
	}
	if c := titles["Delete key user:3"].Confirm; c != "Delete user:3 (version 2/7)? This cannot be undone." {
		t.Errorf("delete confirmation %q", c)
	}
	h.press("g", "down") // cache:homepage, 4m12s left
	for _, a := range h.m.Actions() {
		if strings.HasPrefix(a.Title, "Set TTL") && a.Default != "4m12s" {
			t.Errorf("TTL prompt default %q, want the time left", a.Default)
		}
	}
	// Palette actions reach the pane as messages.
	h.run(titles["Put a new key"].Run(""))
	if h.m.Mode() != "new" {
		t.Fatal("the palette's Put a new key did not open the form")
	}
}

func TestHelpListsEveryKey(t *testing.T) {
	m := New(uitest.Common())
	seen := map[string]bool{}
	for _, col := range m.FullHelp() {
		for _, b := range col {
			seen[b.Help().Desc] = true
		}
	}
	for name, b := range m.Keys().Named() {
		if !seen[b.Help().Desc] {
			t.Errorf("help lacks keys.%s", name)
		}
	}
	if !key.Matches(tea.KeyMsg{Type: tea.KeyCtrlS}, m.Keys().Save) {
		t.Error("ctrl+s does not save")
	}
}

func TestMouseSelectsAndOpens(t *testing.T) {
	h := loaded(t, 80, 24)
	h.m.View()
	h.send(tea.MouseMsg{Y: listHeaderLines + 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if string(h.m.Selected()) != "counter:visits" {
		t.Fatalf("click selected %q", h.m.Selected())
	}
	h.send(tea.MouseMsg{Y: listHeaderLines + 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if h.m.Mode() != "detail" {
		t.Fatal("a click on the selected row did not open it")
	}
}

func TestEditorStartsAtTheTopAndRefusesHugeValues(t *testing.T) {
	h := loaded(t, 80, 24)
	var lines []string
	for i := 0; i < 100; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	h.openDetail(&client.GetResult{Value: []byte(strings.Join(lines, "\n")), Version: client.Version{Term: 1, Index: 3}})
	h.press("e")
	if h.m.edit.area.Line() != 0 || !strings.Contains(h.m.View(), "\nline 0 ") {
		t.Fatalf("editor not at the top (line %d):\n%s", h.m.edit.area.Line(), h.m.View())
	}
	h.press("esc")
	for _, v := range [][]byte{make([]byte, maxEditBytes+1), []byte(strings.Repeat("x\n", maxEditLines))} {
		h.openDetail(&client.GetResult{Value: v, Version: client.Version{Term: 1, Index: 4}})
		h.press("e")
		if r := h.lastResult(); r.Err == nil || !strings.Contains(r.Err.Error(), "the editor opens") || h.m.Mode() != "detail" {
			t.Fatalf("%d-byte value: %+v, mode %s", len(v), r, h.m.Mode())
		}
	}
}

// TestEditAfterAStaleReadReadsAgain: a stale_ok read may be behind, so the
// editor waits for a lease read before it takes the version to check.
func TestEditAfterAStaleReadReadsAgain(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("s")
	h.press("enter")
	k, _ := h.m.Detail()
	h.send(detailMsg{reqID: h.m.detailReq, key: k, level: client.ConsistencyStaleOK, at: t0, res: detailOf()})
	if !strings.Contains(h.m.View(), "stale_ok read") {
		t.Fatalf("detail does not say how it was read:\n%s", h.m.View())
	}
	h.press("e")
	if h.m.Mode() != "detail" || !h.m.detail.editNext {
		t.Fatalf("e after a stale read: mode %s", h.m.Mode())
	}
	fresh := detailOf()
	fresh.Version = client.Version{Term: 3, Index: 50}
	h.send(detailMsg{reqID: h.m.detailReq, key: k, level: client.ConsistencyLease, at: t0, res: fresh})
	if h.m.Mode() != "edit" || h.m.edit.base != fresh.Version {
		t.Fatalf("editor: mode %s", h.m.Mode())
	}
}

// TestClusterKeyCount: the title sums the key counts the groups' leaders
// report, a later report of a group replacing the earlier one.
func TestClusterKeyCount(t *testing.T) {
	h := loaded(t, 120, 40)
	if strings.Contains(h.m.View(), "keys in the cluster") {
		t.Fatal("a key count shown before any node status")
	}
	h.send(common.NodeStatusMsg{NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1", Groups: []client.GroupStatus{
		{GroupID: 0, State: "leader", Keys: 10}, {GroupID: 1, State: "follower", Keys: 99}}}})
	h.send(common.NodeStatusMsg{NodeID: "n2", Status: &client.NodeStatus{NodeID: "n2", Groups: []client.GroupStatus{
		{GroupID: 1, State: "leader", Keys: 5}}}})
	h.send(common.NodeStatusMsg{NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1", Groups: []client.GroupStatus{
		{GroupID: 0, State: "leader", Keys: 12}}}})
	if v := h.m.View(); !strings.Contains(v, "17 keys in the cluster") {
		t.Fatalf("title lacks the count of 17:\n%s", v)
	}
}
