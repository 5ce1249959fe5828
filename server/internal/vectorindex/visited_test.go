package vectorindex

import "testing"

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
