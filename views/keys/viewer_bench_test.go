package keys

import (
	"encoding/json"
	"fmt"
	"testing"
)

// oneMiBJSON is a JSON document close to the server's 1 MiB value limit.
func oneMiBJSON(b *testing.B) []byte {
	items := make([]map[string]any, 0, 9000)
	for i := 0; len(items) < cap(items); i++ {
		items = append(items, map[string]any{"id": i, "name": fmt.Sprintf("user-%05d", i), "tags": []string{"a", "b"}, "bio": "lorem ipsum dolor sit amet"})
	}
	v, err := json.Marshal(map[string]any{"users": items})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkViewerOpenOneMiBJSON lays out a 1 MiB JSON value (indent, fold
// the large blocks, rows at 200 columns): once per value read.
func BenchmarkViewerOpenOneMiBJSON(b *testing.B) {
	v := oneMiBJSON(b)
	b.SetBytes(int64(len(v)))
	for i := 0; i < b.N; i++ {
		newViewer(v, 200, false)
	}
}

// BenchmarkViewerSearchOneMiBJSON is one search over that value (a
// keystroke in the / field).
func BenchmarkViewerSearchOneMiBJSON(b *testing.B) {
	vw := newViewer(oneMiBJSON(b), 200, false)
	for i := 0; i < b.N; i++ {
		vw.setQuery("user-0042", 0)
	}
}

// BenchmarkDetailViewOneMiBJSON draws the detail of that value at 200x60
// with a search on (a frame).
func BenchmarkDetailViewOneMiBJSON(b *testing.B) {
	h := loaded(b, 200, 60)
	h.press("enter")
	h.send(detailMsg{reqID: h.m.detailReq, key: []byte("big"), at: t0, res: valueOf(string(oneMiBJSON(b)))})
	h.m.SetFilter("user-0042")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = h.m.View()
	}
}
