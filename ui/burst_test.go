package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/views/keys"
)

// keysRoot is a root on a fake backend holding n keys, on the Keys pane with
// its first page loaded.
func keysRoot(t *testing.T, n int) (*Model, *keys.Model) {
	t.Helper()
	fb := fakebackend.New(nil, 1024)
	for i := 0; i < n; i++ {
		if _, err := fb.Put(context.Background(), []byte(fmt.Sprintf("k%02d", i)), []byte("v"), nil); err != nil {
			t.Fatal(err)
		}
	}
	m := newRoot(t, 100, 30, func(c *common.Common) { c.Data = fb })
	send(m, press("5"))
	kp, ok := m.Active().(*keys.Model)
	if !ok || len(kp.Entries()) != n {
		t.Fatalf("keys pane: %T with %d keys", m.Active(), len(kp.Entries()))
	}
	return m, kp
}

// Bubble Tea v1 reports the runes it reads in one go as ONE KeyMsg ("jjj"),
// which no binding matches: on a loaded machine or a slow SSH link, keys
// typed quickly were all lost. Outside text fields each rune is a key.
func TestKeysArrivingTogetherAreEachApplied(t *testing.T) {
	m, kp := keysRoot(t, 8)
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	if got := string(kp.Selected()); got != "k03" {
		t.Fatalf("after jjj in one read: selected %q, want k03", got)
	}
	// A burst that switches pane and then moves: each key in turn.
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("15k")})
	if m.Active() != common.Pane(kp) || string(kp.Selected()) != "k02" {
		t.Fatalf("after 15k: pane %s, selected %q", m.Active().Title(), kp.Selected())
	}
	// A burst that opens the filter: the rest is typed into it.
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/k0")})
	if !m.filtering || m.filter.Value() != "k0" {
		t.Fatalf("after /k0: filtering %v, filter %q", m.filtering, m.filter.Value())
	}
	send(m, press("esc"))
	// In a text field a burst stays one message (a pasted vector of
	// thousands of digits is inserted at once, not rune by rune).
	send(m, press("a"))
	if kp.Mode() != "new" {
		t.Fatalf("a: mode %s", kp.Mode())
	}
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("qqq")})
	if kp.Mode() != "new" {
		t.Fatalf("q typed into the form left it: mode %s", kp.Mode())
	}
}

// The same through a real Bubble Tea program: three j written to its input
// at once (as a terminal delivers them when the console reads late) move
// the cursor three rows.
func TestKeysWrittenAtOnceThroughTheProgram(t *testing.T) {
	m, kp := keysRoot(t, 8)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	p := tea.NewProgram(probed{m}, tea.WithInput(r), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	if _, err := w.Write([]byte("jjj")); err != nil {
		t.Fatal(err)
	}
	selected := make(chan string, 1)
	deadline := time.Now().Add(20 * time.Second)
	for {
		p.Send(probeMsg{func() { selected <- string(kp.Selected()) }})
		if got := <-selected; got == "k03" {
			break
		} else if time.Now().After(deadline) {
			p.Kill()
			t.Fatalf("selected %q after writing jjj, want k03", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Quit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// probeMsg runs f on the program's update goroutine (reads the model
// without racing it).
type probeMsg struct{ f func() }

// probed is the root with probeMsg handled first.
type probed struct{ *Model }

func (p probed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(probeMsg); ok {
		pm.f()
		return p, nil
	}
	_, cmd := p.Model.Update(msg)
	return p, cmd
}

// The message log scrolls with a burst too.
func TestKeyBurstInTheMessageLog(t *testing.T) {
	m, _ := keysRoot(t, 1)
	for i := 0; i < 200; i++ {
		m.note(levelInfo, fmt.Sprintf("note %d", i), 0, false)
	}
	m.openLog(false)
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	if m.logView.top != 3 {
		t.Fatalf("log scrolled to %d after jjj, want 3", m.logView.top)
	}
}
