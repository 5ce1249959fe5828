package vectors

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// BenchmarkView renders a full pane (listing, 100 results, a full latency
// history drawn as a graph), as every frame does while the pane is shown.
func BenchmarkView(b *testing.B) {
	m := fed(120, 40)
	req := m.result.req
	req.k = 100
	for i := 0; i < HistoryLen; i++ {
		m.Update(searchMsg{req: req, at: t0, query: req.query, rtt: time.Duration(500+i*13) * time.Microsecond,
			res: &client.VectorSearchResult{Matches: matches(100), SearchTimeUs: uint64(100 + i)}})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkParseVector768 parses a pasted 768-dimension query.
func BenchmarkParseVector768(b *testing.B) {
	v := make([]float32, 768)
	for i := range v {
		v[i] = float32(i%17)/17 - 0.5
	}
	s := FormatValues(v)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if _, err := ParseVector(s, 768); err != nil {
			b.Fatal(err)
		}
	}
}
