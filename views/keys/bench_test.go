package keys

import (
	"math/rand"
	"testing"

	"github.com/norikv/norikv-console/client"
)

// BenchmarkHexDumpOneMiB renders the largest value the server stores (1 MiB)
// as a hex dump, once per detail view width.
func BenchmarkHexDumpOneMiB(b *testing.B) {
	v := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(v)
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		hexDump(v, 120)
	}
}

// BenchmarkListView draws a full page of the largest size the pane asks for.
func BenchmarkListView(b *testing.B) {
	h := loaded(b, 120, 40)
	var page []client.KeyEntry
	for len(page) < DefaultPageSize {
		page = append(page, sampleEntries()...)
	}
	h.send(pageMsg{reqID: h.m.listReq, at: t0, res: &client.ScanResult{Entries: page[:DefaultPageSize]}})
	for b.Loop() {
		_ = h.m.View()
	}
}

// BenchmarkEditorOpen16KiBBinary opens the editor on the largest binary
// value it takes (1,024 lines of hex digits, the slow case) and draws it.
func BenchmarkEditorOpen16KiBBinary(b *testing.B) {
	v := make([]byte, maxEditLines*hexBytesPerLine)
	rand.New(rand.NewSource(1)).Read(v)
	h := loaded(b, 120, 40)
	h.openDetail(&client.GetResult{Value: v, Version: client.Version{Term: 1, Index: 1}})
	for b.Loop() {
		h.press("e")
		_ = h.m.View()
		h.press("esc")
	}
}

// BenchmarkEditorKeystroke16KiBBinary is one key typed in that editor and
// the redraw that follows.
func BenchmarkEditorKeystroke16KiBBinary(b *testing.B) {
	v := make([]byte, maxEditLines*hexBytesPerLine)
	rand.New(rand.NewSource(1)).Read(v)
	h := loaded(b, 120, 40)
	h.openDetail(&client.GetResult{Value: v, Version: client.Version{Term: 1, Index: 1}})
	h.press("e")
	for b.Loop() {
		h.press("right")
		_ = h.m.View()
	}
}
