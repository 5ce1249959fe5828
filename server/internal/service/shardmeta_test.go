package service

import (
	"testing"
)

// TestShardMetaSharedAndUnchanged: a shard's reply meta is built once and
// then handed out without allocating; a reply with an expiry gets its own
// map and leaves the shared one as it was.
func TestShardMetaSharedAndUnchanged(t *testing.T) {
	m := newShardMeta(1024, "n2")
	got := m.get(7)
	if got["shard"] != "7" || got["served_by"] != "n2" || len(got) != 2 {
		t.Fatalf("meta of shard 7: %v", got)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = m.get(7) }); allocs != 0 {
		t.Fatalf("meta of a shard seen before: %.0f allocations, want 0 (shared)", allocs)
	}
	e := m.withExpiry(7, 1700000000123)
	if e["expires_at_ms"] != "1700000000123" || e["shard"] != "7" || e["served_by"] != "n2" {
		t.Fatalf("meta with expiry: %v", e)
	}
	if again := m.get(7); len(again) != 2 || again["expires_at_ms"] != "" {
		t.Fatalf("the expiry leaked into the shared meta of shard 7: %v", again)
	}
	if o := m.get(5000); o["shard"] != "5000" { // outside the layout: built, not shared
		t.Fatalf("meta of shard 5000: %v", o)
	}
}
