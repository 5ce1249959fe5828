package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/common"
)

func statusText(m *Model) string {
	if m.status == nil {
		return ""
	}
	return m.status.Text
}

func TestCopyAsksTheActivePaneAndSaysWhatAndHowMuch(t *testing.T) {
	var got []string
	m := newRoot(t, 120, 40)
	m.clipboard = func(s string) error { got = append(got, s); return nil }
	what, text, ok := m.Active().(common.Copyable).CopyTarget()
	if !ok {
		t.Fatal("the cluster pane has nothing selected at start")
	}
	send(m, press("y"))
	if len(got) != 1 || got[0] != text {
		t.Fatalf("clipboard got %q, want %q", got, text)
	}
	if want := "copied " + what + " ("; !strings.HasPrefix(statusText(m), want) || !strings.HasSuffix(statusText(m), " bytes)") {
		t.Fatalf("status %q, want %q… bytes)", statusText(m), want)
	}
	send(m, press("Y"))
	_, tsv, _ := m.Active().(common.TableCopyable).CopyTable()
	if len(got) != 2 || got[1] != tsv || !strings.Contains(got[1], "\t") {
		t.Fatalf("table copy: %q", got)
	}

	m.clipboard = func(string) error { return errors.New("write /dev/stdout: broken pipe") }
	send(m, press("y"))
	if m.lastErr == nil || !strings.Contains(m.lastErr.Error(), "broken pipe") {
		t.Fatalf("clipboard failure not reported: %v", m.lastErr)
	}
}

func TestCopyOnAPaneWithoutSelectionSaysSo(t *testing.T) {
	m := newRoot(t, 120, 40)
	send(m, press("4")) // Trace: nothing traced yet
	send(m, press("y"))
	if m.lastErr == nil || !strings.Contains(m.lastErr.Error(), "nothing selected to copy in the Trace pane") {
		t.Fatalf("err %v", m.lastErr)
	}
	send(m, press("o"))
	if m.lastErr == nil || !strings.Contains(m.lastErr.Error(), "no table to sort") {
		t.Fatalf("err %v", m.lastErr)
	}
}

func TestSortKeysCycleColumnsAndReverse(t *testing.T) {
	m := newRoot(t, 120, 40)
	s := m.Active().(common.Sortable)
	cols := s.SortColumns()
	send(m, press("O"))
	if m.lastErr == nil || s.Sort().Column != "" {
		t.Fatalf("O in the natural order: err %v sort %+v", m.lastErr, s.Sort())
	}
	send(m, press("o"))
	if got := s.Sort(); got != (common.SortState{Column: cols[0]}) {
		t.Fatalf("after o: %+v", got)
	}
	send(m, press("O"))
	if got := s.Sort(); got != (common.SortState{Column: cols[0], Desc: true}) {
		t.Fatalf("after O: %+v", got)
	}
	if !strings.Contains(statusText(m), "↓") {
		t.Fatalf("status %q", statusText(m))
	}
	for range cols {
		send(m, press("o"))
	}
	if got := s.Sort(); got.Column != "" {
		t.Fatalf("after the last column: %+v, want the natural order", got)
	}
}

func TestCopyAndSortAreRebindable(t *testing.T) {
	c := newRoot(t, 80, 24).common
	m, err := New(Options{Common: c, KeyOverrides: map[string][]string{"copy": {"ctrl+y"}, "sort": {"S"}}})
	if err != nil {
		t.Fatal(err)
	}
	if h := m.common.Keys.Copy.Help(); h.Key != "ctrl+y" {
		t.Fatalf("copy help %q", h.Key)
	}
}
