package vectors

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// sweepEfs are the ef values an ef sweep tries (those below k are skipped:
// HNSW needs ef >= k to return k matches).
var sweepEfs = []int{10, 20, 40, 80, 160, 320, 640}

// efsFor returns the ef values swept for k: k itself (the smallest ef that
// can return k matches), then every sweepEfs value above it, at most
// len(sweepEfs) in all.
func efsFor(k int) []int {
	out := []int{k}
	for _, ef := range sweepEfs {
		if ef > k && len(out) < len(sweepEfs) {
			out = append(out, ef)
		}
	}
	return out
}

// sweep runs the query at every ef of efsFor(k) and compares each answer
// with the reference ref.
func sweep(ctx context.Context, c common.Backend, req searchRequest, query []float32, ref []client.VectorMatch) ([]sweepPoint, error) {
	var out []sweepPoint
	for _, ef := range efsFor(req.k) {
		start := time.Now()
		res, err := c.VectorSearch(ctx, req.namespace, query, req.k, &client.VectorSearchOptions{Consistency: req.consistency, Ef: ef})
		if err != nil {
			return out, fmt.Errorf("ef sweep on %s at ef=%d: %w", req.namespace, ef, err)
		}
		p := sweepPoint{ef: ef, rtt: time.Since(start), server: micros(res.SearchTimeUs)}
		p.hit, p.of = Overlap(res.Matches, ref)
		out = append(out, p)
	}
	return out, nil
}

// sweepLines draws an ef sweep as a table with a recall bar per ef.
func (m *Model) sweepLines(r *searchMsg) []string {
	st := m.common.Styles
	ref := "an exact scan"
	if r.recall != nil && !r.recall.exact {
		ref = fmt.Sprintf("ef=%d (the server did not confirm an exact scan)", r.recall.refEf)
	}
	note := "; the results below are from your ef"
	if ix, ok := m.index(r.req.namespace); ok && ix.IndexType == client.IndexBruteForce {
		note = "; " + r.req.namespace + " is a brute_force index: ef does not apply"
	}
	out := []string{st.Title.Render("EF SWEEP ") + st.Muted.Render(fmt.Sprintf("recall@%d against %s", r.req.k, ref)+note)}
	cols := []int{6, 13, 9, 11, 0}
	out = append(out, st.TableHeader.Render(common.Columns(cols, "    EF", "RECALL", "   SERVER", " ROUND TRIP", "")))
	for _, p := range r.sweep {
		val := 1.0
		if p.of > 0 {
			val = float64(p.hit) / float64(p.of)
		}
		style := st.OK
		switch {
		case val < 0.8:
			style = st.Error
		case val < 0.95:
			style = st.Warn
		}
		fill := int(val*20 + 0.5)
		out = append(out, common.Columns(cols, fmt.Sprintf("%6d", p.ef), style.Render(fmt.Sprintf("%.2f (%d/%d)", val, p.hit, p.of)),
			fmt.Sprintf("%9s", common.FormatLatency(p.server)), fmt.Sprintf("%11s", common.FormatLatency(p.rtt)),
			style.Render(strings.Repeat("█", fill))+st.Muted.Render(strings.Repeat("░", 20-fill))))
	}
	return out
}
