package common

import "testing"

func TestNextSortCyclesColumnsThenNatural(t *testing.T) {
	cols := []string{"key", "size", "ttl"}
	var s SortState
	var seen []string
	for i := 0; i < 5; i++ {
		s = NextSort(s, cols)
		seen = append(seen, s.Column)
	}
	want := []string{"key", "size", "ttl", "", "key"}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("cycle %v, want %v", seen, want)
		}
	}
	if got := NextSort(SortState{Column: "gone"}, cols); got.Column != "key" {
		t.Fatalf("unknown column restarts at the first: %+v", got)
	}
	if got := NextSort(SortState{Column: "key"}, nil); got.Column != "" {
		t.Fatalf("no columns: %+v", got)
	}
}

func TestToggleDescAndLabel(t *testing.T) {
	s := ToggleDesc(SortState{Column: "size"})
	if !s.Desc || s.Label() != "size ↓" {
		t.Fatalf("%+v %q", s, s.Label())
	}
	if ToggleDesc(SortState{}).Desc || (SortState{}).Label() != "" {
		t.Fatal("natural order has no direction or label")
	}
	if (SortState{Column: "ttl"}).Label() != "ttl ↑" {
		t.Fatal("ascending label")
	}
}
