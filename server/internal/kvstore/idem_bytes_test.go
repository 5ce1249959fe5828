package kvstore

import (
	"fmt"
	"strings"
	"testing"
)

// TestIdempotencyByteBound checks that records with long keys are bounded
// by bytes well before the count bound, that the newest survive, and that
// replacing or pruning records keeps the byte count exact.
func TestIdempotencyByteBound(t *testing.T) {
	const maxBytes = 64 << 10
	a := &applier{f: New(Options{IdemMax: 100_000, IdemMaxBytes: maxBytes})}
	long := strings.Repeat("k", 1000)
	for i := 0; i < 500; i++ {
		a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte(long), IdemKey: fmt.Sprint("idem-", i)})
	}
	tbl := a.f.idem
	// Pruning runs before each write, so one record may exceed the bound.
	per := idemRecordBytes(tbl.byKey["idem-499"])
	if tbl.bytes > maxBytes+per {
		t.Fatalf("idempotency records hold %d bytes, bound is %d", tbl.bytes, maxBytes)
	}
	if n := len(tbl.byKey); n < maxBytes/per-1 || n > maxBytes/per+1 {
		t.Fatalf("%d records kept, want about %d", n, maxBytes/per)
	}
	if r := a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte(long), IdemKey: "idem-499"}); !r.Replayed {
		t.Fatal("newest record was dropped")
	}
	sum := 0
	for _, r := range tbl.byKey {
		sum += idemRecordBytes(r)
	}
	if sum != tbl.bytes {
		t.Fatalf("byte count %d, records add up to %d", tbl.bytes, sum)
	}
}
