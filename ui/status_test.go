package ui

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
)

const longInfo = "1,873 vectors from /home/ada/datasets/embeddings/many-clustered-points.jsonl (2 skipped as duplicates)"

func statusLineOf(m *Model) string {
	lines := strings.Split(m.View(), "\n")
	return lines[len(lines)-1]
}

// TestStatusLineFitsAndTheLogHoldsTheFullText: at 80 columns a long message
// is cut with … and points at the log; ctrl+l and :log show all of it with
// its latency.
func TestStatusLineFitsAndTheLogHoldsTheFullText(t *testing.T) {
	m := newRoot(t, 80, 24)
	send(m, common.OpResultMsg{Op: "import vectors/many.csv into demo-clustered", Latency: 1234 * time.Millisecond, Info: longInfo})
	sl := statusLineOf(m)
	if !strings.Contains(sl, "…") || !strings.Contains(sl, "ctrl+l full text") {
		t.Fatalf("cut message without … or the log hint: %q", sl)
	}
	send(m, tea.KeyMsg{Type: tea.KeyCtrlL})
	v := m.View()
	flat := strings.Join(strings.Fields(v), " ")
	if open, _ := m.LogOpen(); !open || !strings.Contains(flat, "(2 skipped as duplicates)") || !strings.Contains(flat, "· 1.2s") {
		t.Fatalf("log overlay lacks the full text or latency:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := len([]rune(l)); w != 80 {
			t.Fatalf("log overlay line is %d wide: %q", w, l)
		}
	}
	send(m, press("esc"))
	if open, _ := m.LogOpen(); open {
		t.Fatal("esc did not close the log")
	}
	send(m, press(":"))
	typeText(m, "log")
	send(m, press("enter"))
	if open, _ := m.LogOpen(); !open {
		t.Fatalf(":log did not open the log (palette lists %v)", m.PaletteMatches())
	}
}

// TestInfoFadesErrorsStayUntilTheNextAction: a success note leaves after a
// few ticks; an error stays however long, until the next key.
func TestInfoFadesErrorsStayUntilTheNextAction(t *testing.T) {
	m := newRoot(t, 100, 30)
	send(m, common.OpResultMsg{Op: "get \"user:1\"", Info: "found"})
	for i := 0; i <= infoFor; i++ {
		m.Update(common.TickMsg{At: t0.Add(time.Duration(i+2) * time.Second)}) // commands: next tick, polls
	}
	if s := m.StatusMessage(); s != "" {
		t.Fatalf("info still shown after %d ticks: %q", infoFor+1, s)
	}
	send(m, common.OpResultMsg{Op: "put \"user:9\"", Err: errors.New("put \"user:9\": version mismatch")})
	for i := 0; i < 60; i++ {
		m.Update(common.TickMsg{At: t0.Add(time.Duration(i+infoFor+3) * time.Second)}) // on time: a gap is a suspension
	}
	if m.LastError() == nil || !strings.Contains(statusLineOf(m), "version mismatch") {
		t.Fatalf("error faded by itself: %q", statusLineOf(m))
	}
	m.setInfo("reachable again: n2") // a background note does not push the error out
	if m.LastError() == nil || !strings.Contains(statusLineOf(m), "version mismatch") {
		t.Fatalf("a background note replaced the error: %q", statusLineOf(m))
	}
	if strings.Contains(statusLineOf(m), "try again") {
		t.Fatalf("blanket hint still there: %q", statusLineOf(m))
	}
	send(m, press("j"))
	if m.LastError() != nil || strings.Contains(statusLineOf(m), "mismatch") {
		t.Fatalf("error survived the next key: %q", statusLineOf(m))
	}
	if n := len(m.Messages()); n != 3 {
		t.Fatalf("message log holds %d entries, want 3", n)
	}
}

// TestLogFiltersWritesAndWritesAreAudited: the log's w shows only writes,
// and every write goes to audit.jsonl as one JSON line.
func TestLogFiltersWritesAndWritesAreAudited(t *testing.T) {
	m, j := rootWithJournal(t, 100, 30)
	send(m, common.OpResultMsg{Op: "get \"user:1\"", Latency: time.Millisecond, Info: "\"x\" (1 bytes)"})
	send(m, common.OpResultMsg{Op: "put \"user:9\"", Latency: 3 * time.Millisecond, Info: "written, version 2/41"})
	send(m, common.OpResultMsg{Op: "delete vector \"pt:1\" from demo", Err: errors.New("delete vector \"pt:1\" from demo: not found")})
	send(m, tea.KeyMsg{Type: tea.KeyCtrlL})
	send(m, press("w"))
	v := m.View()
	if _, writes := m.LogOpen(); !writes || strings.Contains(v, "user:1") || !strings.Contains(v, "user:9") || !strings.Contains(v, "pt:1") {
		t.Fatalf("writes-only log:\n%s", v)
	}
	path := j.AuditPath()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("audit has %d lines, want the 2 writes:\n%s", len(lines), data)
	}
	var r journal.Record
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil || r.Op != "put \"user:9\"" || r.Result != "ok" || r.LatencyMS != 3 || r.Time.IsZero() {
		t.Fatalf("audit line %s: %+v %v", lines[0], r, err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil || !strings.Contains(r.Result, "not found") {
		t.Fatalf("audit line %s: %+v %v", lines[1], r, err)
	}
}
