package common

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestFitPadsCutsAndKeepsEscapes(t *testing.T) {
	in := "short\n\x1b[1mbold and much too long\x1b[0m\nthird\nfourth"
	out := Fit(in, 10, 3)
	lines := strings.Split(out, "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 10 {
			t.Errorf("line %d width %d: %q", i, w, l)
		}
	}
	if !strings.HasPrefix(lines[1], "\x1b[1mbold and ") {
		t.Errorf("styled line cut wrongly: %q", lines[1])
	}
	if Fit("x", 0, 5) != "" || Fit("x", 5, 0) != "" {
		t.Error("zero size not empty")
	}
	if got := Fit("a", 3, 2); got != "a  \n   " {
		t.Errorf("padding: %q", got)
	}
}

func TestTooSmallAndColumns(t *testing.T) {
	if v := TooSmall(30, 4, 40, 8); !strings.Contains(v, "terminal too small") || !strings.Contains(v, "need 40x8") {
		t.Errorf("TooSmall: %q", v)
	}
	if v := TooSmall(5, 1, 40, 8); ansi.StringWidth(v) != 5 {
		t.Errorf("tiny TooSmall not fitted: %q", v)
	}
	if got := Columns([]int{3, 2, 0}, "abcd", "x", "rest"); got != "ab… x  rest" {
		t.Errorf("Columns = %q", got)
	}
}

func TestFormatLatency(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "-", 850 * time.Microsecond: "850µs", 1234 * time.Microsecond: "1.2ms", 45 * time.Millisecond: "45ms", 1500 * time.Millisecond: "1.5s"} {
		if got := FormatLatency(d); got != want {
			t.Errorf("FormatLatency(%v) = %q, want %q", d, got, want)
		}
	}
}
