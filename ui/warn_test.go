package ui

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/msglog"
)

// "cannot reach n3" is bad news: it is marked as a warning (!), in the
// status line and the message log, never with the success tick (✓).
func TestLostNodeIsAWarningNotASuccess(t *testing.T) {
	m := newRoot(t, 100, 30)
	m.noteReachChanges(map[string]bool{"n3": true}, 2)
	v := m.View()
	if !strings.Contains(v, "! cannot reach n3") || strings.Contains(v, "✓ cannot reach") {
		t.Fatalf("status line:\n%s", v)
	}
	msgs := m.Messages()
	if last := msgs[len(msgs)-1]; last.Level != msglog.Warn {
		t.Fatalf("logged as level %d: %+v", last.Level, last)
	}
	m.openLog(false)
	if v := m.View(); !strings.Contains(v, "! ") || strings.Contains(v, "✓") && strings.Contains(v, "✓ cannot reach") {
		t.Fatalf("message log:\n%s", v)
	}
	m.logView.open = false
	m.noteReachChanges(map[string]bool{}, 3)
	if v := m.View(); !strings.Contains(v, "✓ reachable again: n3") {
		t.Fatalf("recovery:\n%s", v)
	}
}
