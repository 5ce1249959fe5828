//go:build linux

package vectorindex

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
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

// TestReserveLeavesPagesUntouched checks that a restore's reservation
// leaves its large arrays unwritten until the slots fill them, so that
// the pages fault in as huge pages once advised: clearing them first (as
// slices.Grow does) faulted in every 4 KiB page, and the MADV_COLLAPSE of
// the advice then copied them all (most of a 100k x 128 restore's time in
// the kernel). It runs in a fresh process of this test binary, where the
// arrays come from memory the kernel has not handed out yet: reused heap
// memory is cleared by the runtime, whatever reserve does.
func TestReserveLeavesPagesUntouched(t *testing.T) {
	if os.Getenv("VECTORINDEX_RESERVE_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestReserveLeavesPagesUntouched$", "-test.count", "1", "-test.v")
		cmd.Env = append(os.Environ(), "VECTORINDEX_RESERVE_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		if !bytes.Contains(out, []byte("--- PASS: TestReserveLeavesPagesUntouched")) {
			t.Fatalf("child did not run the check:\n%s", out)
		}
		t.Logf("child:\n%s", out)
		return
	}
	ix := mustNew(t, Config{Dims: 128, Distance: Cosine, Kind: HNSW})
	const n = 64 << 10 // 32 MiB of vectors
	ix.reserve(n)
	defer ix.Close()
	arrays := []struct {
		name string
		p    unsafe.Pointer
		size uintptr
	}{
		{"vectors", unsafe.Pointer(unsafe.SliceData(ix.vecs)), uintptr(cap(ix.vecs)) * 4},
		{"halfs", unsafe.Pointer(unsafe.SliceData(ix.half.halfs)), uintptr(cap(ix.half.halfs)) * 2},
		{"level 0", unsafe.Pointer(unsafe.SliceData(ix.g.links0)), uintptr(cap(ix.g.links0)) * 4},
	}
	for _, a := range arrays {
		res, total := residentPages(t, uintptr(a.p), a.size)
		t.Logf("%s: %d of %d pages resident", a.name, res, total)
		if res > total/8 {
			t.Errorf("%s: %d of %d pages resident right after reserve, want (nearly) none", a.name, res, total)
		}
	}
}

// residentPages counts the resident 4 KiB pages among the whole pages of
// the n bytes at base (mincore).
func residentPages(t *testing.T, base, n uintptr) (resident, total int) {
	const page = 4096
	start := (base + page - 1) &^ (page - 1)
	end := (base + n) &^ (page - 1)
	vec := make([]byte, (end-start)/page)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, start, end-start, uintptr(unsafe.Pointer(unsafe.SliceData(vec)))); errno != 0 {
		t.Skipf("mincore: %v", errno)
	}
	for _, b := range vec {
		if b&1 != 0 {
			resident++
		}
	}
	return resident, len(vec)
}
