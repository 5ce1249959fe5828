package keys

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/uitest"
)

// valueOf is a Get answer holding v.
func valueOf(v string) *client.GetResult {
	return &client.GetResult{Value: []byte(v), Version: client.Version{Term: 3, Index: 45}, Meta: map[string]string{"shard": "17", "served_by": "n2"}}
}

// textWithNeedles is 100 lines, "needle" on lines 10, 50 and 90 (from 1).
func textWithNeedles() string {
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		if i%40 == 10 {
			fmt.Fprintf(&b, "line %d has a Needle in it\n", i)
			continue
		}
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

// bigJSON is an object with a 300-element array of users and a small
// settings object.
func bigJSON(t testing.TB) string {
	type user struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	var users []user
	for i := 0; i < 300; i++ {
		users = append(users, user{i, fmt.Sprintf("user-%03d", i)})
	}
	users[250].Name = "Grace Hopper"
	b, err := json.Marshal(map[string]any{"users": users, "settings": map[string]any{"theme": "dark", "tz": "UTC"}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// screenHas fails unless the pane's screen holds want.
func screenHas(t *testing.T, h *harness, want string) {
	t.Helper()
	if v := h.m.View(); !strings.Contains(v, want) {
		t.Fatalf("screen lacks %q:\n%s", want, v)
	}
}

func TestValueSearchMovesBetweenMatches(t *testing.T) {
	h := loaded(t, 80, 24)
	h.openDetail(valueOf(textWithNeedles()))
	screenHas(t, h, "lines 1-18 of 101 · byte 0 of")
	h.m.SetFilter("needle") // what the root's `/` field does while the detail is open
	if h.m.prefix != "" {
		t.Fatalf("the search changed the list's prefix to %q", h.m.prefix)
	}
	screenHas(t, h, `search "needle": match 1 of 3`)
	screenHas(t, h, "line 10 has a Needle")
	h.press("n")
	screenHas(t, h, `search "needle": match 2 of 3`)
	screenHas(t, h, "line 50 has a Needle")
	h.press("n", "n") // wraps around to the first
	screenHas(t, h, `search "needle": match 1 of 3`)
	h.press("N")
	screenHas(t, h, `search "needle": match 3 of 3`)
	screenHas(t, h, "line 90 has a Needle")
	uitest.RequireSize(t, h.m.View(), 80, 24)

	h.m.SetFilter("haystack")
	screenHas(t, h, `search "haystack": no match`)
	h.press("n")
	if len(h.errs) == 0 || !strings.Contains(h.errs[len(h.errs)-1].Error(), `"haystack" is not in this value`) {
		t.Fatalf("n without a match: errors %v", h.errs)
	}
	h.m.SetFilter("")
	h.press("n")
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "press / and type the text to find") {
		t.Fatalf("n without a search: %v", h.errs[len(h.errs)-1])
	}
	// Back in the list, the filter is a key prefix again.
	h.m.Back()
	h.m.SetFilter("user:")
	if h.m.prefix != "user:" {
		t.Fatalf("list filter: prefix %q", h.m.prefix)
	}
}

func TestValuePositionAndWrap(t *testing.T) {
	h := loaded(t, 80, 24)
	long := strings.Repeat("0123456789", 20) // 200 columns: 3 rows at 80
	h.openDetail(valueOf(long + "\nsecond line\n" + textWithNeedles()))
	screenHas(t, h, "lines 1-16 of 103 · byte 0 of 1,062")
	h.press("down", "down", "down")
	screenHas(t, h, "lines 2-19 of 103 · byte 201 of 1,062")
	h.press("w")
	screenHas(t, h, "no wrap")
	screenHas(t, h, "lines 2-19 of 103") // the top line stays
	if n := len(h.m.detail.view.rows); n != 103 {
		t.Fatalf("without wrapping: %d rows, want one a line (103)", n)
	}
	uitest.RequireSize(t, h.m.View(), 80, 24)
	h.press("w")
	if n := len(h.m.detail.view.rows); n != 105 {
		t.Fatalf("wrapped: %d rows, want 105", n)
	}
	// Hex dumps count bytes by line: 16 a line at 80 columns.
	h.press("x", "down", "down")
	screenHas(t, h, "byte 32 of 1,062")
}

func TestLargeJSONOpensFoldedAndUnfolds(t *testing.T) {
	h := loaded(t, 80, 24)
	h.openDetail(valueOf(bigJSON(t)))
	screenHas(t, h, "1 folded")
	screenHas(t, h, `"users": [ … ]  (1200 lines folded)`)
	screenHas(t, h, `"theme": "dark"`)
	// A search inside the folded array unfolds it.
	h.m.SetFilter("grace")
	screenHas(t, h, `search "grace": match 1 of 1`)
	screenHas(t, h, `"name": "Grace Hopper"`)
	if len(h.m.detail.view.folded) != 0 {
		t.Fatalf("the match is still folded: %v", h.m.detail.view.folded)
	}
	// z folds the innermost block at the top line (one user), Z folds
	// every large block, Z again unfolds all.
	h.press("z")
	screenHas(t, h, "{ … },  (2 lines folded)")
	h.press("Z") // something is folded: Z unfolds all
	if n := len(h.m.detail.view.folded); n != 0 {
		t.Fatalf("Z left %d blocks folded", n)
	}
	h.press("Z")
	screenHas(t, h, `"users": [ … ]  (1200 lines folded)`)
	h.m.SetFilter(`"users"`)
	h.press("z") // on the current match's line, folded: unfolds it
	screenHas(t, h, `"id": 0,`)
	uitest.RequireSize(t, h.m.View(), 80, 24)

	// Text does not fold: the user is told why.
	h.openDetail(valueOf("plain text"))
	h.press("z")
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "only JSON objects and arrays fold") {
		t.Fatalf("z on text: %v", h.errs)
	}
}

func TestGoldenValueViewer(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := loaded(t, sz[0], sz[1])
			h.openDetail(valueOf(bigJSON(t)))
			h.m.SetFilter("user-29")
			h.press("n")
			golden.RequireEqual(t, []byte(h.m.View()))
		})
	}
}

// Searching a 4 MiB value stays bounded: at most maxMatches are kept.
func TestValueSearchIsBounded(t *testing.T) {
	vw := newViewer([]byte(strings.Repeat("ab\n", 1<<20)), 80, false)
	vw.setQuery("a", 0)
	if len(vw.matches) != maxMatches || !vw.more {
		t.Fatalf("%d matches kept (more %v), want %d and more", len(vw.matches), vw.more, maxMatches)
	}
}

func TestPaletteOffersTheValueViewer(t *testing.T) {
	h := loaded(t, 80, 24)
	h.openDetail(valueOf(textWithNeedles()))
	var search, wrap bool
	for _, a := range h.m.Actions() {
		switch a.Title {
		case "Search in the value":
			search = true
			h.run(a.Run("needle"))
		case "Wrap long lines on/off":
			wrap = true
			h.run(a.Run(""))
		}
	}
	if !search || !wrap {
		t.Fatalf("palette: search %v, wrap %v", search, wrap)
	}
	screenHas(t, h, `search "needle": match 1 of 3`)
	screenHas(t, h, "no wrap")
	for _, a := range h.m.Actions() {
		if a.Title == "Fold or unfold all JSON blocks" {
			h.run(a.Run(""))
		}
	}
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "only JSON objects and arrays fold") {
		t.Fatalf("fold on text: %v", h.errs)
	}
}

func TestNoWrapScrollsSidewaysToTheMatch(t *testing.T) {
	h := loaded(t, 80, 24)
	long := strings.Repeat("x", 150) + "TARGET" + strings.Repeat("y", 50)
	h.openDetail(valueOf("first\n" + long))
	h.press(">")
	if !strings.Contains(h.errs[len(h.errs)-1].Error(), "lines wrap: nothing to scroll sideways") {
		t.Fatalf("> while wrapping: %v", h.errs)
	}
	h.press("w")
	if strings.Contains(h.m.View(), "TARGET") {
		t.Fatal("the target shows before scrolling")
	}
	h.press(">", ">", ">")
	screenHas(t, h, "no wrap, from column 121")
	screenHas(t, h, "TARGET")
	h.press("<", "<", "<", "<")
	screenHas(t, h, "first")
	h.m.SetFilter("target") // the search brings the match's columns on screen
	screenHas(t, h, "TARGET")
	uitest.RequireSize(t, h.m.View(), 80, 24)
}
