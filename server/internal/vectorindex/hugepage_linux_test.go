//go:build linux

package vectorindex

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// TestLargeArraysAskForHugePages checks that an index's vectors past
// hugeMinBytes sit in memory advised for huge pages (VmFlags "hg" in
// /proc/self/smaps), after growing insert by insert and after a restore,
// and that a small index asks for nothing.
func TestLargeArraysAskForHugePages(t *testing.T) {
	const dims = 128
	n := hugeMinBytes/(4*dims) + 4096 // a few MiB past the threshold
	ix := mustNew(t, Config{Dims: dims, Distance: Euclidean, Kind: BruteForce})
	small := mustNew(t, Config{Dims: dims, Distance: Euclidean, Kind: BruteForce})
	vec := make([]float32, dims)
	for i := range n {
		vec[0] = float32(i)
		must(t, ix.Upsert(fmt.Sprint(i), vec))
		if i < 100 {
			must(t, small.Upsert(fmt.Sprint(i), vec))
		}
	}
	var buf bytes.Buffer
	must(t, ix.WriteSnapshot(&buf))
	restored, err := ReadSnapshot(&buf)
	must(t, err)
	for name, x := range map[string]*Index{"grown": ix, "restored": restored} {
		p := hugeInterior(t, x.vecs)
		if !vmFlag(t, p, "hg") {
			t.Errorf("%s index: vectors at %#x (%d MiB) not advised for huge pages", name, p, cap(x.vecs)*4>>20)
		}
	}
	if small.huge != (hugeRegions{}) {
		t.Errorf("an index of 100 vectors advised regions %+v, want none", small.huge)
	}
	// A closed (dropped) index withdraws the advice: its arrays become
	// garbage, and freed heap memory must not be collapsed into huge pages.
	p := hugeInterior(t, restored.vecs)
	restored.Close()
	if vmFlag(t, p, "hg") {
		t.Errorf("closed index: vectors at %#x still advised for huge pages", p)
	}
	if restored.huge != (hugeRegions{}) {
		t.Errorf("closed index still tracks regions %+v", restored.huge)
	}
}

// hugeInterior returns the first 2 MiB boundary inside s's array.
func hugeInterior(t *testing.T, s []float32) uintptr {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	p := (base + hugePageSize - 1) &^ (hugePageSize - 1)
	if p+hugePageSize > base+uintptr(cap(s))*4 {
		t.Fatalf("array of %d bytes holds no aligned 2 MiB page", cap(s)*4)
	}
	return p
}

// vmFlag reports whether the mapping holding address p carries flag.
func vmFlag(t *testing.T, p uintptr, flag string) bool {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && strings.Contains(line, " ") {
			in = lo <= p && p < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Contains(" "+line[len("VmFlags:"):]+" ", " "+flag+" ")
		}
	}
	t.Fatalf("no mapping holds %#x", p)
	return false
}
