package keys

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/uitest"
)

var goldenSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

func TestGolden(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := loaded(t, sz[0], sz[1])
			h.press("down", "down")
			if h.m.wide() { // the detail side follows the cursor: answer its read
				h.send(detailMsg{reqID: h.m.detailReq, key: h.m.Selected(), at: t0, level: client.ConsistencyLease, res: detailOf()})
			}
			golden.RequireEqual(t, []byte(h.m.View()))
		})
	}
}

func TestGoldenDetail(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := loaded(t, sz[0], sz[1])
			h.press("G", "up", "up") // user:1
			h.openDetail(detailOf())
			golden.RequireEqual(t, []byte(h.m.View()))
		})
	}
}

// TestGoldenDetailBinaryWithTTL: a binary value as a hex dump and a TTL
// counting down with the ticks.
func TestGoldenDetailBinaryWithTTL(t *testing.T) {
	h := loaded(t, 80, 24)
	res := &client.GetResult{Value: []byte("\x00\x01\x02binary\xff\xfe payload with\nbytes"), Version: client.Version{Term: 2, Index: 17},
		Meta: map[string]string{"shard": "3", "served_by": "n1", "expires_at_ms": fmt.Sprint(t0.Add(4*time.Minute + 12*time.Second).UnixMilli())}}
	h.openDetail(res)
	h.send(tickAt(3 * time.Second))
	golden.RequireEqual(t, []byte(h.m.View()))
}

func TestGoldenEditConflict(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := loaded(t, sz[0], sz[1])
			h.press("G", "up", "up")
			h.openDetail(detailOf())
			h.press("e")
			cur := client.Version{Term: 3, Index: 52}
			h.m.edit.conflict = &conflict{op: "save user:1", expected: client.Version{Term: 3, Index: 45}, current: &cur}
			golden.RequireEqual(t, []byte(h.m.View()))
		})
	}
}

func TestGoldenNewKey(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("a")
	h.typeText("user:4")
	h.press("tab")
	h.typeText("90s")
	h.press("tab")
	h.typeText(`{"name":"Barbara Liskov"}`)
	golden.RequireEqual(t, []byte(h.m.View()))
}

func TestExactSizeAtEverySize(t *testing.T) {
	for _, sz := range uitest.Sizes {
		w, hh := sz[0], sz[1]
		empty := newHarness(t, uitest.Common(), w, hh)
		uitest.RequireSize(t, empty.m.View(), w, hh)
		h := loaded(t, w, hh)
		uitest.RequireSize(t, h.m.View(), w, hh)
		h.openDetail(detailOf())
		uitest.RequireSize(t, h.m.View(), w, hh)
		h.press("x")
		uitest.RequireSize(t, h.m.View(), w, hh)
		h.press("e")
		uitest.RequireSize(t, h.m.View(), w, hh)
		h.press("esc", "esc")
		h.m.Back()
		h.press("a")
		uitest.RequireSize(t, h.m.View(), w, hh)
		h.typeText("k")
		h.press("ctrl+s") // refused: not connected; the error shows in the form
		uitest.RequireSize(t, h.m.View(), w, hh)
		// Resizing while editing keeps the exact size.
		h.m.SetSize(hh+w/2, w)
		uitest.RequireSize(t, h.m.View(), hh+w/2, w)
	}
}

func tickAt(d time.Duration) any { return tick(t0.Add(d)) }
