package keys

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/uitest"
)

func TestWideShowsListAndDetailSideBySide(t *testing.T) {
	narrow := loaded(t, WideMinWidth-1, 40)
	if narrow.m.wide() || narrow.m.detail != nil {
		t.Fatal("split below the wide width")
	}
	h := loaded(t, 200, 60)
	if !h.m.wide() || h.m.lw() != 80 || h.m.dw() != 119 {
		t.Fatalf("wide %v, widths %d + %d", h.m.wide(), h.m.lw(), h.m.dw())
	}
	// The detail follows the list's cursor.
	h.press("G")
	if k, _ := h.m.Detail(); string(k) != "user:3" {
		t.Fatalf("detail side shows %q, want user:3", k)
	}
	h.send(detailMsg{reqID: h.m.detailReq, key: []byte("user:3"), at: t0, res: detailOf()})
	v := h.m.View()
	for _, want := range []string{"KEYS  all keys", "│KEY user:3", `"name": "Ada Lovelace"`, "> user:3"} {
		if !strings.Contains(v, want) {
			t.Fatalf("wide screen lacks %q:\n%s", want, v)
		}
	}
	uitest.RequireSize(t, v, 200, 60)
	// enter gives the detail the keyboard; the list stays on the left.
	h.press("enter")
	h.m.SetFilter("ada") // `/` searches the value while the detail has the keyboard
	if h.m.Mode() != "detail" || h.m.prefix != "" || !strings.Contains(h.m.View(), `search "ada": match 1 of 1`) {
		t.Fatalf("detail focus: mode %s prefix %q\n%s", h.m.Mode(), h.m.prefix, h.m.View())
	}
	if !strings.Contains(h.m.View(), "> user:3") {
		t.Fatal("the list left the screen while the detail has the keyboard")
	}
	h.m.Back()
	h.press("up")
	if k, _ := h.m.Detail(); string(k) != "user:2" || h.m.Mode() != "list" {
		t.Fatalf("after esc and up: %q in %s", k, h.m.Mode())
	}
	// The editor takes the whole width.
	h.send(detailMsg{reqID: h.m.detailReq, key: []byte("user:2"), at: t0, res: detailOf()})
	h.press("enter", "e")
	if h.m.wide() || strings.Contains(h.m.View(), "KEYS  all keys") {
		t.Fatalf("the editor is split:\n%s", h.m.View())
	}
	for _, sz := range [][2]int{{160, 24}, {200, 60}, {300, 80}} {
		h := loaded(t, sz[0], sz[1])
		uitest.RequireSize(t, h.m.View(), sz[0], sz[1])
		h.press("T")
		uitest.RequireSize(t, h.m.View(), sz[0], sz[1])
	}
}
