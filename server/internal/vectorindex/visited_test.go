package vectorindex

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestVisitedEpochWraps checks that a slot visited in one traversal reads
// as unvisited in a later one, across the epoch counter's wrap (it is 16
// bits wide, so a long-lived search scratch wraps every 65535 searches).
func TestVisitedEpochWraps(t *testing.T) {
	var sc scratch
	sc.resetVisited(10)
	if !sc.visit(5) || sc.visit(5) {
		t.Fatal("first traversal: slot 5 not visited exactly once")
	}
	first := sc.epoch
	sc.visit(9) // and never again until its epoch comes round
	wrapped := false
	for i := 1; i < 1<<17; i++ {
		sc.resetVisited(10)
		if !sc.visit(5) {
			t.Fatalf("traversal %d (epoch %d): slot 5 reads as visited before its visit", i, sc.epoch)
		}
		if sc.visit(5) {
			t.Fatalf("traversal %d (epoch %d): slot 5 reads as unvisited after its visit", i, sc.epoch)
		}
		if sc.epoch == first {
			wrapped = true
			if !sc.visit(9) {
				t.Fatalf("traversal %d: slot 9, visited only in the first traversal of the same epoch, reads as visited", i)
			}
		}
		if i%3 == 0 {
			continue
		}
		// Slot 7, visited only now and then, must never look visited early.
		if !sc.visit(7) {
			t.Fatalf("traversal %d (epoch %d): slot 7 reads as visited before its visit", i, sc.epoch)
		}
	}
	if !wrapped {
		t.Fatalf("the epoch never came back to %d: the test did not wrap", first)
	}
}

// TestUnvisitedMatchesVisit checks the branch-free neighbour filter of the
// beam search against scratch.visit: the same neighbours in the same
// order (duplicates in a list count once), the same visited marks after,
// and no write past the list's length in next.
func TestUnvisitedMatchesVisit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const slots = 300
	var want, got scratch
	want.resetVisited(slots)
	got.resetVisited(slots)
	for round := range 2000 {
		if round%50 == 0 { // a new traversal now and then
			want.resetVisited(slots)
			got.resetVisited(slots)
		}
		links := make([]int32, rng.IntN(40))
		for i := range links {
			links[i] = int32(rng.IntN(slots))
		}
		var ref []int32
		for _, n := range links {
			if want.visit(n) {
				ref = append(ref, n)
			}
		}
		next := make([]int32, len(links)+1)
		next[len(links)] = -7
		n := unvisited(links, next[:len(links)], got.visited, got.epoch, slots)
		if !slices.Equal(next[:n], ref) {
			t.Fatalf("round %d: unvisited %v, visit %v", round, next[:n], ref)
		}
		if next[len(links)] != -7 {
			t.Fatalf("round %d: wrote past the list", round)
		}
		if !slices.Equal(got.visited[:slots], want.visited[:slots]) {
			t.Fatalf("round %d: visited marks differ", round)
		}
	}
}
