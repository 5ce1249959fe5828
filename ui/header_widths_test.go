package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// headerCase is one state of the header: who is down, badges, connection.
type headerCase struct {
	name     string
	colour   bool
	readOnly bool
	paused   int // updates held; 0: not paused
	down     int // nodes the console cannot reach
	state    string
	noView   bool
}

func headerCases() []headerCase {
	var out []headerCase
	for _, colour := range []bool{false, true} {
		for _, c := range []headerCase{
			{name: "connected", state: StateConnected},
			{name: "degraded", down: 1, state: StateDegraded},
			{name: "reconnecting", down: 3, state: StateReconnecting},
			{name: "connecting, no view", state: StateConnecting, noView: true},
			{name: "read-only", readOnly: true, down: 2, state: StateDegraded},
			{name: "paused", paused: 20000, down: 1, state: StateDegraded},
			{name: "read-only paused reconnecting", readOnly: true, paused: 20000, down: 3, state: StateReconnecting},
		} {
			c.colour = colour
			out = append(out, c)
		}
	}
	return out
}

// headerRoot returns a root in state c.
func headerRoot(t *testing.T, c headerCase) *Model {
	t.Helper()
	m := newRoot(t, 80, 24, func(com *common.Common) {
		com.Profile, com.ReadOnly = "production-eu-west", c.readOnly
		if c.colour {
			com.Styles = uitest.ColorStyles(themes.Dark())
		}
	})
	if c.noView {
		m.view = nil
	}
	for i := 0; i < c.down; i++ {
		m.reachable[fmt.Sprintf("n%d", 3-i)] = false
	}
	m.reassess(t0)
	m.connState = c.state
	if c.paused > 0 {
		m.paused, m.held = true, make([]tea.Msg, c.paused)
	}
	return m
}

// headerAt returns m's header at width w.
func headerAt(m *Model, w int) string {
	send(m, tea.WindowSizeMsg{Width: w, Height: 24})
	return m.header()
}

// TestHeaderAtEveryWidth: from 1 to 200 columns the header is exactly as
// wide as the terminal, never runs two words together or cuts one (every
// word is one the full header has, or its short form), and from the
// console's minimum width on it always names the connection state. At
// 40-45 columns it read "2/3 alive, 1 unr * connecting" (a cut word), and
// read-only, paused and reconnecting together made it wider than the
// terminal (the line wrapped and pushed the screen down).
func TestHeaderAtEveryWidth(t *testing.T) {
	short := map[string]bool{"unreach": true, "RO": true, "PAUSED": true, "alive": true} // "alive" ends "2/3 alive" without the count after it
	for _, c := range headerCases() {
		t.Run(fmt.Sprintf("%s colour=%v", c.name, c.colour), func(t *testing.T) {
			m := headerRoot(t, c)
			full := headerAt(m, 400)
			words := map[string]bool{}
			for _, w := range strings.Fields(ansi.Strip(full)) {
				words[w] = true
			}
			if !words[c.state] {
				t.Fatalf("the full header lacks the state %q: %q", c.state, ansi.Strip(full))
			}
			for w := 1; w <= 200; w++ {
				head := headerAt(m, w)
				plain := ansi.Strip(head)
				if got := lipgloss.Width(head); got != w {
					t.Fatalf("%d columns: header is %d wide: %q", w, got, plain)
				}
				for _, word := range strings.Fields(plain) {
					if !words[word] && !short[word] {
						t.Fatalf("%d columns: %q is not a word of the full header (cut or run together): %q", w, word, plain)
					}
				}
				if w < MinWidth {
					continue
				}
				if !strings.Contains(plain, " "+c.state) {
					t.Errorf("%d columns: the connection state %q is not shown apart: %q", w, c.state, plain)
				}
				if first := strings.SplitN(m.View(), "\n", 2)[0]; first != head {
					t.Errorf("%d columns: the screen's first line is not the header:\n%q\n%q", w, first, head)
				}
				if c.readOnly && !strings.Contains(plain, "READ-ONLY") && !strings.Contains(plain, " RO ") {
					t.Errorf("%d columns: read-only not shown: %q", w, plain)
				}
			}
		})
	}
}
