package keys

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

var regexpTTL = regexp.MustCompile(`exp:short .* (<1s|1s|2s) *\n`)

// flowShards keeps the test cluster small: it starts faster.
const flowShards = 64

// startCluster starts a real 3-node cluster on loopback and a connected
// client, both closed when the test ends.
func startCluster(t *testing.T) *client.Client {
	t.Helper()
	_, c := startClusterAndClient(t)
	return c
}

func put(t *testing.T, c *client.Client, k, v string, opts *client.PutOptions) client.Version {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ver, err := c.Put(ctx, []byte(k), []byte(v), opts)
	if err != nil {
		t.Fatalf("put %s: %v", k, err)
	}
	return ver
}

func get(t *testing.T, c *client.Client, k string) (*client.GetResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Get(ctx, []byte(k), &client.GetOptions{Consistency: client.ConsistencyLinearizable})
}

func keysOf(es []client.KeyEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Key))
	}
	return strings.Join(out, " ")
}

// TestFlowOnARealCluster browses, opens, edits with compare-and-swap, hits
// a conflict made by a concurrent write, reloads, sets a TTL, puts a new key
// and deletes, all through the pane's messages against a real cluster.
func TestFlowOnARealCluster(t *testing.T) {
	c := startCluster(t)
	for i := 1; i <= 5; i++ {
		put(t, c, fmt.Sprintf("flow:%d", i), fmt.Sprintf("value %d", i), nil)
	}
	put(t, c, "other:x", "not in the prefix", nil)

	com := uitest.Common()
	com.Client, com.TotalShards = c, flowShards
	h := newHarness(t, com, 120, 40)
	h.m.SetPageSize(3)
	h.send(common.TopologyMsg{At: time.Now(), View: c.ClusterView()})
	if got := keysOf(h.m.Entries()); got != "flow:1 flow:2 flow:3" {
		t.Fatalf("first page: %q (err %v)", got, h.m.listErr)
	}
	// Prefix filter: scanned on the next tick.
	h.m.SetFilter("flow:")
	h.send(common.TickMsg{At: time.Now()})
	h.press("]")
	if got := keysOf(h.m.Entries()); got != "flow:4 flow:5" || h.m.Page() != 2 || !h.m.done {
		t.Fatalf("second page with prefix flow:: %q page %d done %v", got, h.m.Page(), h.m.done)
	}
	h.press("[")
	if got := keysOf(h.m.Entries()); got != "flow:1 flow:2 flow:3" {
		t.Fatalf("back to the first page: %q", got)
	}

	// Open flow:2.
	h.press("down", "enter")
	k, res := h.m.Detail()
	if string(k) != "flow:2" || res == nil || string(res.Value) != "value 2" || res.Meta["served_by"] == "" {
		t.Fatalf("detail of flow:2: %q %+v", k, res)
	}
	if v := h.m.View(); !strings.Contains(v, fmt.Sprintf("shard %d", client.ShardForKey(k, flowShards))) || !strings.Contains(v, "served by n") {
		t.Fatalf("detail view:\n%s", v)
	}

	// Edit it: the save is a compare-and-swap on the version read.
	h.press("e", "end")
	h.typeText(" edited")
	h.press("ctrl+s")
	if r := h.lastResult(); r.Err != nil || !strings.HasPrefix(r.Info, "written, version") {
		t.Fatalf("save: %+v", r)
	}
	got, err := get(t, c, "flow:2")
	if err != nil || string(got.Value) != "value 2 edited" {
		t.Fatalf("after the save the cluster holds %q, %v", got.Value, err)
	}
	if _, shown := h.m.Detail(); h.m.Mode() != "detail" || shown.Version != got.Version {
		t.Fatalf("the detail was not reloaded: mode %s", h.m.Mode())
	}

	// Someone else writes while we edit: our save is refused.
	h.press("e")
	theirs := put(t, c, "flow:2", "their value", nil)
	h.press("end")
	h.typeText(" mine")
	h.press("ctrl+s")
	exp, cur, ok := h.m.Conflict()
	if !ok || cur == nil || *cur != theirs || exp != got.Version {
		t.Fatalf("conflict: ok %v expected %v current %v (theirs %v)", ok, exp, cur, theirs)
	}
	if v := h.m.View(); !strings.Contains(v, "conflict: flow:2 is now version "+FormatVersion(theirs)) || !strings.Contains(v, "ctrl+o overwrite") {
		t.Fatalf("conflict view:\n%s", v)
	}
	if got, _ := get(t, c, "flow:2"); string(got.Value) != "their value" {
		t.Fatalf("the refused save changed the value: %q", got.Value)
	}
	// Reload: the editor now holds their value and their version.
	h.press("ctrl+r")
	if h.m.Mode() != "edit" || h.m.edit.area.Value() != "their value" || h.m.edit.base != theirs {
		t.Fatalf("reload: mode %s value %q", h.m.Mode(), h.m.edit.area.Value())
	}
	h.press("end")
	h.typeText(" + mine")
	h.press("ctrl+s")
	if got, _ := get(t, c, "flow:2"); string(got.Value) != "their value + mine" {
		t.Fatalf("save after reload: %q", got.Value)
	}

	// Set a TTL from the detail: the palette asks, the pane re-puts the value.
	h.press("t")
	a := h.lastAction()
	if a.Prompt == "" || a.Default != "" {
		t.Fatalf("TTL action: prompt %q default %q", a.Prompt, a.Default)
	}
	before := time.Now()
	h.run(a.Run("5m"))
	got, err = get(t, c, "flow:2")
	if err != nil || string(got.Value) != "their value + mine" {
		t.Fatalf("after the TTL: %q %v", got.Value, err)
	}
	if exp := got.ExpiresAt(); exp.Before(before.Add(5*time.Minute-time.Second)) || exp.After(time.Now().Add(5*time.Minute+time.Second)) {
		t.Fatalf("expiry %v, want about 5m from %v", exp, before)
	}
	h.send(common.TickMsg{At: time.Now()})
	if v := h.m.View(); !strings.Contains(v, "TTL 4m5") {
		t.Fatalf("detail lacks the TTL countdown:\n%s", v)
	}
	// Editing keeps the TTL.
	h.press("e", "end")
	h.typeText("!")
	h.press("ctrl+s")
	if got, _ := get(t, c, "flow:2"); got.ExpiresAt().IsZero() || string(got.Value) != "their value + mine!" {
		t.Fatalf("edit dropped the TTL or the value: %q %v", got.Value, got.ExpiresAt())
	}

	// A TTL from the list: the value is read and re-put only if the key is
	// still at the listed version.
	h.m.Back()
	h.press("g", "down", "down") // flow:3
	h.press("t")
	h.run(h.lastAction().Run("30s"))
	if got, _ := get(t, c, "flow:3"); string(got.Value) != "value 3" || got.ExpiresAt().IsZero() {
		t.Fatalf("TTL from the list: %q expires %v", got.Value, got.ExpiresAt())
	}
	h.press("t")
	ttl := h.lastAction()
	now := put(t, c, "flow:3", "value 3 again", nil)
	h.run(ttl.Run("1h"))
	if _, cur, ok := h.m.Conflict(); ok || cur != nil {
		t.Log("the detail is not shown: the conflict goes to the status line")
	}
	if r := h.lastResult(); r.Err == nil || !strings.Contains(r.Err.Error(), "changed since it was listed") || !strings.Contains(r.Err.Error(), FormatVersion(now)) {
		t.Fatalf("TTL on a stale listing: %+v", r)
	}
	if got, _ := get(t, c, "flow:3"); got.Version != now || !got.ExpiresAt().IsZero() {
		t.Fatalf("the stale TTL change was written: %+v", got)
	}

	// A new key from the form, then the same key again: a warning first.
	h.press("a") // the key field starts with the prefix filter
	h.typeText("new")
	h.press("tab")
	h.typeText("1h")
	h.press("tab")
	h.typeText("fresh")
	h.press("ctrl+s")
	if k, res := h.m.Detail(); string(k) != "flow:new" || res == nil || string(res.Value) != "fresh" || res.ExpiresAt().IsZero() {
		t.Fatalf("new key detail: %q %+v", k, res)
	}
	h.m.Back()
	h.press("a")
	h.typeText("new")
	h.press("tab", "tab")
	h.typeText("second")
	h.press("ctrl+s")
	if !strings.Contains(h.m.View(), "flow:new exists (version") {
		t.Fatalf("no warning for an existing key:\n%s", h.m.View())
	}
	if got, _ := get(t, c, "flow:new"); string(got.Value) != "fresh" {
		t.Fatalf("the first save overwrote the key: %q", got.Value)
	}
	h.press("ctrl+s")
	if got, _ := get(t, c, "flow:new"); string(got.Value) != "second" {
		t.Fatalf("the second save did not overwrite: %q", got.Value)
	}

	// Delete from the list: refused when the key changed since listed.
	h.m.Back()
	h.press("g")
	h.press("d")
	del := h.lastAction()
	if !strings.Contains(del.Confirm, "Delete flow:1 (version") {
		t.Fatalf("delete confirmation %q", del.Confirm)
	}
	put(t, c, "flow:1", "changed meanwhile", nil)
	h.run(del.Run(""))
	var vm *client.VersionMismatchError
	if r := h.lastResult(); !errors.As(r.Err, &vm) {
		t.Fatalf("stale delete: %+v", r)
	}
	if _, err := get(t, c, "flow:1"); err != nil {
		t.Fatalf("the stale delete removed the key: %v", err)
	}
	// The failed write refreshed the list: deleting now uses the new version.
	h.press("d")
	h.run(h.lastAction().Run(""))
	if r := h.lastResult(); r.Err != nil || r.Info != "deleted" {
		t.Fatalf("delete: %+v", r)
	}
	if _, err := get(t, c, "flow:1"); !errors.Is(err, client.ErrKeyNotFound) {
		t.Fatalf("flow:1 still there: %v", err)
	}
	if got := keysOf(h.m.Entries()); strings.Contains(got, "flow:1 ") {
		t.Fatalf("the list still shows flow:1: %q", got)
	}
}

// TestFlowExpiryStaleReadsAndReadOnly: a key whose TTL runs out leaves the
// list on the next tick; stale_ok scans answer from any replica; a
// read-only pane writes nothing.
func TestFlowExpiryStaleReadsAndReadOnly(t *testing.T) {
	c := startCluster(t)
	put(t, c, "exp:short", "soon gone", &client.PutOptions{TTL: 3 * time.Second})
	keep := put(t, c, "exp:stay", "stays", nil)

	com := uitest.Common()
	com.Client, com.TotalShards, com.ReadOnly = c, flowShards, true
	h := newHarness(t, com, 100, 30)
	h.m.SetFilter("exp:")
	h.send(common.TopologyMsg{At: time.Now(), View: c.ClusterView()})
	if got := keysOf(h.m.Entries()); got != "exp:short exp:stay" {
		t.Fatalf("page: %q (err %v)", got, h.m.listErr)
	}
	if v := h.m.View(); !strings.Contains(v, "exp:short") || !regexpTTL.MatchString(v) {
		t.Fatalf("the TTL column lacks the countdown:\n%s", v)
	}
	h.press("s")
	if got := keysOf(h.m.Entries()); got != "exp:short exp:stay" || !strings.Contains(h.m.View(), "stale_ok reads") {
		t.Fatalf("stale_ok page: %q\n%s", got, h.m.View())
	}
	time.Sleep(time.Until(h.m.Entries()[0].ExpiresAt) + 50*time.Millisecond)
	h.send(common.TickMsg{At: time.Now()})
	if got := keysOf(h.m.Entries()); got != "exp:stay" {
		t.Fatalf("after the TTL ran out the list holds %q", got)
	}

	// Read-only: the editor does not open, TTL and delete are refused
	// before any prompt; their palette actions refuse if run anyway.
	h.press("enter", "e")
	h.press("t")
	h.press("d")
	if len(h.actions) != 0 {
		t.Fatalf("read-only asked the palette for %q", h.actions[0].Title)
	}
	for _, a := range h.m.Actions() {
		if strings.HasPrefix(a.Title, "Set TTL") {
			h.run(a.Run("1m"))
		}
		if strings.HasPrefix(a.Title, "Delete") {
			h.run(a.Run(""))
		}
	}
	if len(h.results) != 5 {
		t.Fatalf("results: %+v", h.results)
	}
	for _, r := range h.results {
		if r.Err == nil || !strings.Contains(r.Err.Error(), "read-only") {
			t.Errorf("%s: %v, want a read-only refusal", r.Op, r.Err)
		}
	}
	if got, err := get(t, c, "exp:stay"); err != nil || got.Version != keep || !got.ExpiresAt().IsZero() {
		t.Fatalf("a read-only pane changed the key: %+v %v", got, err)
	}
}
