package keys

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

func entriesOf(keys ...string) []client.KeyEntry {
	var out []client.KeyEntry
	for i, k := range keys {
		out = append(out, client.KeyEntry{Key: []byte(k), Size: uint64(10 * (i + 1)), Version: client.Version{Term: 2, Index: uint64(i + 1)}})
	}
	return out
}

func TestBuildTreeGroupsByDelimiter(t *testing.T) {
	root := buildTree(entriesOf("app:cfg:a", "app:cfg:b", "app:x", "plain", "user:1", "user:2"), "", ":")
	var got []string
	for _, r := range flatten(root, map[string]bool{"app:": true, "app:cfg:": true}) {
		if r.entry != nil {
			got = append(got, fmt.Sprintf("%d %s", r.depth, r.entry.Key))
			continue
		}
		got = append(got, fmt.Sprintf("%d %s(%d, %d B)", r.depth, r.node.label, r.node.keys, r.node.size))
	}
	want := "0 app:(3, 60 B)|1 cfg:(2, 30 B)|2 app:cfg:a|2 app:cfg:b|1 app:x|0 user:(2, 110 B)|0 plain"
	if s := strings.Join(got, "|"); s != want {
		t.Fatalf("tree rows:\n%s\nwant\n%s", s, want)
	}
	if root.keys != 6 || root.size != 210 {
		t.Fatalf("root: %d keys, %d B", root.keys, root.size)
	}
	// Within a scan prefix the tree starts after it; another delimiter.
	root = buildTree(entriesOf("a/b/c", "a/b/d", "a/e"), "a/", "/")
	if len(root.children) != 1 || root.children[0].prefix != "a/b/" || root.children[0].keys != 2 || len(root.leaves) != 1 {
		t.Fatalf("prefix a/: %+v", root)
	}
}

// treeShown is a pane showing the tree of the sample page, without a
// client (the scan's answer is sent as the command would).
func treeShown(t *testing.T, w, hh int) *harness {
	h := loaded(t, w, hh)
	h.press("T")
	if !h.m.TreeShown() {
		t.Fatal("T did not show the tree")
	}
	h.send(treeMsg{reqID: h.m.tree.req, at: t0, latency: 4 * time.Millisecond, root: buildTree(sampleEntries(), "", ":")})
	return h
}

func TestGoldenKeyTree(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := treeShown(t, sz[0], sz[1])
			h.press("G", "up", "enter") // user: expanded
			golden.RequireEqual(t, []byte(h.m.View()))
		})
	}
}

func TestKeyTreeKeys(t *testing.T) {
	h := treeShown(t, 80, 24)
	screenHas(t, h, "KEY TREE  delimiter \":\" · 9 keys in 6 prefixes")
	h.press("e") // on a prefix: nothing to edit
	if len(h.errs) == 0 || h.errs[len(h.errs)-1] != errPrefixSelected {
		t.Fatalf("e on a prefix: %v", h.errs)
	}
	h.press("G", "up", "right") // user: (3 keys)
	screenHas(t, h, "▾ user:")
	h.press("down", "enter")
	if k, _ := h.m.Detail(); string(k) != "user:1" || h.m.Mode() != "detail" {
		t.Fatalf("enter on user:1 opened %q in %s", k, h.m.Mode())
	}
	h.press("l") // next key: of the tree
	if k, _ := h.m.Detail(); string(k) != "user:2" {
		t.Fatalf("→ in the detail opened %q, want user:2 (the tree's next key)", k)
	}
	h.press("h")
	h.m.Back()
	screenHas(t, h, "> ") // back in the tree, user:1 selected
	h.press("left")       // on a key: to its prefix
	if r, _ := h.m.treeRow(); r.node == nil || r.node.prefix != "user:" {
		t.Fatalf("← on user:1: on %+v, want the user: prefix", r)
	}
	h.press("left")
	screenHas(t, h, "▸ user:")
	h.press("]")
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "the key tree has no pages") {
		t.Fatalf("] in the tree: %v", h.errs)
	}
	h.press("T")
	if h.m.TreeShown() || !strings.Contains(h.m.View(), "all keys, in key order") {
		t.Fatalf("T again: not the flat list\n%s", h.m.View())
	}
	uitest.RequireSize(t, h.m.View(), 80, 24)
	for _, sz := range uitest.Sizes {
		h.m.SetSize(sz[0], sz[1])
		h.press("T")
		uitest.RequireSize(t, h.m.View(), sz[0], sz[1])
		h.press("T")
	}
}

// The tree on a real cluster: bounded scans over pages, counts and sizes
// per prefix, the delimiter from the palette, a prefix filter.
func TestKeyTreeOnARealCluster(t *testing.T) {
	c := startCluster(t)
	for i := 0; i < 30; i++ {
		put(t, c, fmt.Sprintf("user:%02d", i), "0123456789", nil)
	}
	for i := 0; i < 5; i++ {
		put(t, c, fmt.Sprintf("app/cfg:%d", i), "x", nil)
	}
	com := uitest.Common()
	com.Data = c
	h := newHarness(t, com, 120, 40)
	h.send(common.TopologyMsg{At: time.Now(), View: c.ClusterView()})
	h.m.SetTreeMaxKeys(1000)
	h.press("T")
	screenHas(t, h, "35 keys in 2 prefixes")
	screenHas(t, h, "▸ user:")
	if n := findRow(h, "user:"); n < 0 || h.m.tree.rows[n].node.keys != 30 || h.m.tree.rows[n].node.size != 300 {
		t.Fatalf("user: row %d", n)
	}
	// A bound below the keys there: the title says the count is partial.
	h.m.SetTreeMaxKeys(12)
	h.press("r")
	screenHas(t, h, "first 12 keys (bounded scan: more not counted)")
	h.m.SetTreeMaxKeys(1000)

	for _, a := range h.m.Actions() {
		if a.Title == "Key tree delimiter" {
			h.run(a.Run("/"))
		}
	}
	screenHas(t, h, `delimiter "/"`)
	screenHas(t, h, "▸ app/")
	// A prefix filter narrows the tree to what is under it.
	h.m.SetFilter("user:0")
	h.send(common.TickMsg{At: time.Now()})
	screenHas(t, h, "10 keys in 0 prefixes")
}

func findRow(h *harness, prefix string) int {
	for i, r := range h.m.tree.rows {
		if r.node != nil && r.node.prefix == prefix {
			return i
		}
	}
	return -1
}
