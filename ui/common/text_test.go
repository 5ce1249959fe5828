package common

import (
	"strconv"

	"github.com/mattn/go-runewidth"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestTermSafeMeasuresAsTerminalsDraw: after TermSafe, the console's
// measure of a text (grapheme clusters) and a terminal's (code points
// added up) agree, so padding to a width fits the screen; text they agree
// on already is left alone.
func TestTermSafeMeasuresAsTerminalsDraw(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"日本語のキー", "日本語のキー"},
		{"🎉 party", "🎉 party"},
		{"café é́", "café é́"},
		{"flag 🇯🇵", "flag 🇯🇵"},
		{"👍🏽value🇯🇵", `👍\U0001f3fdvalue🇯🇵`},
		{"key #️⃣ ❤️", `key #\ufe0f\u20e3 ❤\ufe0f`},
		{"👨‍👩‍👧 family", `👨\u200d\U0001f469\u200d\U0001f467 family`},
		{"\u1100\u1161\u11a8", `ᄀ\u1161\u11a8`},
	} {
		got := TermSafe(tc.in)
		if got != tc.want {
			t.Errorf("TermSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if w := codePointWidth(got); ansi.StringWidth(got) != w {
			t.Errorf("TermSafe(%q) = %q: measured %d, drawn %d by a terminal adding up code points", tc.in, got, ansi.StringWidth(got), w)
		}
	}
}

// TestDisplayKeyNeverSendsRawBytes: control characters, invalid UTF-8 and
// clusters terminals draw differently are quoted with escapes that read
// back as the key; printable keys stay as they are.
func TestDisplayKeyNeverSendsRawBytes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"user:1", "user:1"},
		{"日本語", "日本語"},
		{"ttl\x1b[2Jclear", `"ttl\x1b[2Jclear"`},
		{"bin\xff\x01", `"bin\xff\x01"`},
		{`"quoted"`, `"\"quoted\""`},
		{"ok👍🏽", `"ok👍\U0001f3fd"`},
	} {
		got := DisplayKey([]byte(tc.in))
		if got != tc.want {
			t.Errorf("DisplayKey(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got != tc.in {
			if back, err := strconv.Unquote(got); err != nil || back != tc.in {
				t.Errorf("DisplayKey(%q) = %s reads back as %q (%v)", tc.in, got, back, err)
			}
		}
	}
}

func codePointWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runewidth.RuneWidth(r)
	}
	return w
}
