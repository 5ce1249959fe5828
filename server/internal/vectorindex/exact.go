package vectorindex

import "fmt"

// SearchExact returns the k nearest live vectors to q by scanning every
// vector, whatever the index kind. It is the reference that recall is
// measured against.
func (ix *Index) SearchExact(q []float32, k int) ([]Match, error) {
	if err := ix.checkQuery(q, k); err != nil {
		return nil, fmt.Errorf("exact search: %w", err)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.getScratch()
	defer ix.scratch.Put(sc)
	if ix.pendingView() {
		defer ix.qmu.RUnlock()
		return ix.searchPending(sc, q, k, 0, true), nil
	}
	return ix.matches(ix.exactTopK(q, k, sc)), nil
}

func (ix *Index) checkQuery(q []float32, k int) error {
	if k < 1 || k > MaxK {
		return fmt.Errorf("k is %d, must be 1..%d: %w", k, MaxK, ErrInvalidK)
	}
	return ix.validate("query", q)
}

// scanBlock is how many vectors one batch kernel call scores; the scores
// of a block stay in L1 while the heap consumes them.
const scanBlock = 256

// exactTopK scans all slots, block by block with a batch kernel, and keeps
// the k best in a bounded max-heap whose root is the worst kept candidate;
// ties at the boundary go to the smaller id.
func (ix *Index) exactTopK(q []float32, k int, sc *scratch) []item {
	qinv := ix.queryNorm(q)
	top := sc.top[:0]
	dims := ix.dims
	if cap(sc.dists) < scanBlock {
		sc.dists = make([]float32, scanBlock)
	}
	n := len(ix.state)
	for lo := 0; lo < n; lo += scanBlock {
		hi := min(lo+scanBlock, n)
		dists := sc.dists[:hi-lo]
		block := ix.vecs[lo*dims : hi*dims]
		if ix.cfg.Distance == Euclidean {
			l2sqBatch(q, block, dists)
		} else {
			dotBatch(q, block, dists)
		}
		for i, raw := range dists {
			s := lo + i
			if ix.state[s] != slotLive || sc.filter && ix.hidden(int32(s)) {
				continue
			}
			d := raw
			switch ix.cfg.Distance {
			case Cosine:
				d = cosine(raw, qinv, ix.invNorms[s])
			case InnerProduct:
				d = -raw
			}
			if len(top) < k {
				top = append(top, item{d, int32(s)})
				siftUpWorst(top, len(top)-1, ix.worse)
				continue
			}
			if d > top[0].dist || (d == top[0].dist && ix.ids[s] >= ix.ids[top[0].slot]) {
				continue
			}
			top[0] = item{d, int32(s)}
			siftDownWorst(top, 0, ix.worse)
		}
	}
	sc.top = top
	return top
}

// worse orders candidates for the exact heap: larger distance, then larger id.
func (ix *Index) worse(a, b item) bool {
	if a.dist != b.dist {
		return a.dist > b.dist
	}
	return ix.ids[a.slot] > ix.ids[b.slot]
}
