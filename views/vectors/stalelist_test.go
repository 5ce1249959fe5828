package vectors

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestFailedRefreshSaysHowOldTheListIs: a refresh that fails (every node
// SIGSTOPped) left the older listing's rows under the error alone, with
// nothing saying when they were listed; a listing that never succeeded
// showed a bare "-". Found driving the console in tmux.
func TestFailedRefreshSaysHowOldTheListIs(t *testing.T) {
	m := listed(120, 30)
	if !strings.Contains(m.View(), "3 indexes · refreshed") {
		t.Fatalf("after a listing:\n%s", m.View())
	}
	at := m.listedAt.Add(42 * time.Second)
	m.Update(listMsg{at: at, err: errors.New("list vector indexes: context deadline exceeded")})
	v := m.View()
	if !strings.Contains(v, "3 indexes listed 42s ago · refresh failed: list vector indexes: context deadline exceeded") {
		t.Fatalf("a failed refresh over an older listing:\n%s", v)
	}
	if !strings.Contains(v, "images") {
		t.Fatalf("the older listing's rows are gone:\n%s", v)
	}

	never := New(m.common)
	never.SetSize(120, 30)
	never.Update(listMsg{at: at, err: errors.New("list vector indexes: connection refused")})
	if v := never.View(); !strings.Contains(v, "not listed yet: the listing failed") {
		t.Fatalf("a first listing that failed:\n%s", v)
	}
}
