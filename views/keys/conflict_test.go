package keys

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// conflicted is the editor on user:1 after a refused save: you changed
// the name and the rps limit, they changed the role and the rps limit.
func conflicted(t *testing.T, w, hh int) *harness {
	h := loaded(t, w, hh)
	h.press("G", "up", "up")
	h.openDetail(valueOf(`{"name":"Ada Lovelace","role":"admin","limits":{"rps":10,"burst":20}}`))
	h.press("e")
	h.m.edit.area.SetValue(`{"name":"Ada King","role":"admin","limits":{"rps":50,"burst":20}}`)
	cur := client.Version{Term: 3, Index: 52}
	h.send(writeMsg{op: writeOp{kind: writeEdit, key: []byte("user:1"), ifMatch: &client.Version{Term: 3, Index: 45}},
		err: &staleError{expected: client.Version{Term: 3, Index: 45}, current: cur}})
	h.send(theirsMsg{key: []byte("user:1"), res: &client.GetResult{Version: cur,
		Value: []byte(`{"role": "owner", "name": "Ada Lovelace", "limits": {"burst": 20, "rps": 99}}`)}}) // reordered and spaced
	return h
}

func TestGoldenConflictSideBySide(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := conflicted(t, sz[0], sz[1])
			golden.RequireEqual(t, []byte(h.m.View()))
		})
	}
}

func TestGoldenConflictMerge(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := conflicted(t, sz[0], sz[1])
			h.press("ctrl+t")
			golden.RequireEqual(t, []byte(h.m.View()))
		})
	}
}

func TestConflictShowsFieldsAndMerges(t *testing.T) {
	h := conflicted(t, 120, 40)
	v := h.m.View()
	for _, want := range []string{"conflict: user:1 is now version 3/52, you read 3/45", "JSON compared field by field · 1 unchanged",
		`.limits.rps`, `~ 99`, `~ 50`, `.name`, `~ "Ada King"`, `.role`, `~ "owner"`} {
		if !strings.Contains(v, want) {
			t.Fatalf("comparison lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, ".limits.burst") {
		t.Fatalf("an unchanged field (key order and spaces differ) is listed:\n%s", v)
	}
	h.press("ctrl+s") // the plain save is refused with the ways out
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "ctrl+t merges your edit into theirs") {
		t.Fatalf("ctrl+s on the comparison: %v", h.errs)
	}
	h.press("ctrl+t")
	screenHas(t, h, "by JSON fields · 1 conflicts, 1 not chosen")
	screenHas(t, h, "> .limits.rps  read 10 · theirs 99 · yours 50  → not chosen")
	h.press("ctrl+s")
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "1 of 1 conflicts not chosen yet") {
		t.Fatalf("save with a conflict open: %v", h.errs)
	}
	h.press("3")
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "a JSON field holds one value") {
		t.Fatalf("both on a field: %v", h.errs)
	}
	h.press("2")
	screenHas(t, h, "→ yours")
	val, _ := h.m.edit.merge.value()
	var got map[string]any
	if err := json.Unmarshal(val, &got); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "map[limits:map[burst:20 rps:50] name:Ada King role:owner]" {
		t.Fatalf("merged %v", got)
	}
	h.press("esc") // back to the comparison
	if h.m.edit == nil || h.m.edit.merge != nil {
		t.Fatal("esc in the merge left the editor")
	}
	h.press("esc") // cancels the editor
	if h.m.Mode() != "detail" {
		t.Fatalf("mode %s", h.m.Mode())
	}
	for _, sz := range uitest.Sizes {
		h := conflicted(t, sz[0], sz[1])
		uitest.RequireSize(t, h.m.View(), sz[0], sz[1])
		h.press("ctrl+t")
		uitest.RequireSize(t, h.m.View(), sz[0], sz[1])
	}
}

// On a real cluster: a concurrent write, the comparison, a line merge
// saved as a compare-and-swap against their version, then a JSON merge
// with a conflict chosen field by field.
func TestConflictMergeOnARealCluster(t *testing.T) {
	c := startCluster(t)
	put(t, c, "doc", "title\nline two\nline three\nend", nil)
	com := uitest.Common()
	com.Client, com.TotalShards = c, flowShards
	h := newHarness(t, com, 120, 40)
	h.send(common.TopologyMsg{At: time.Now(), View: c.ClusterView()})
	h.press("enter", "e")
	h.m.edit.area.SetValue("title\nline two\nline three, mine\nend")
	theirs := put(t, c, "doc", "TITLE\nline two\nline three\nend\ntheir tail", nil)
	h.press("ctrl+s")
	screenHas(t, h, "conflict: doc is now version "+FormatVersion(theirs))
	screenHas(t, h, "+ TITLE")
	screenHas(t, h, "+ line three, mine")
	h.press("ctrl+t")
	screenHas(t, h, "by lines · no conflict")
	h.press("ctrl+s")
	got, err := get(t, c, "doc")
	if err != nil || string(got.Value) != "TITLE\nline two\nline three, mine\nend\ntheir tail" {
		t.Fatalf("after the merge: %q %v (results %+v)", got.Value, err, h.results)
	}
	if h.m.Mode() != "detail" || !strings.Contains(h.m.View(), "written, version") {
		t.Fatalf("after the merge save: mode %s\n%s", h.m.Mode(), h.m.View())
	}

	// JSON, both changed the same field: choose theirs; a second writer
	// before the merge's save makes it a conflict again (against theirs).
	put(t, c, "cfg", `{"a":1,"b":2}`, nil)
	h.send(openKeyMsg{key: []byte("cfg"), edit: true})
	h.m.edit.area.SetValue(`{"a":10,"b":2}`)
	put(t, c, "cfg", `{"a":11,"b":3}`, nil)
	h.press("ctrl+s")
	h.press("ctrl+t")
	screenHas(t, h, "> .a  read 1 · theirs 11 · yours 10")
	h.press("1")
	third := put(t, c, "cfg", `{"a":11,"b":4}`, nil)
	h.press("ctrl+s") // their version moved on: refused, compared again
	screenHas(t, h, "conflict: cfg is now version "+FormatVersion(third))
	h.press("ctrl+t", "1", "ctrl+s")
	got, err = get(t, c, "cfg")
	if err != nil || strings.Join(strings.Fields(string(got.Value)), "") != `{"a":11,"b":4}` {
		t.Fatalf("cfg after the merge: %q %v", got.Value, err)
	}
}
