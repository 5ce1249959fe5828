package events

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// TestASlowNodesEntryMovesUpWithoutMovingTheUser: 0775601 counted a node's
// "no answer" spells within a minute in one entry, but the entry kept the
// time and place of the first spell: read during trouble, the top of the
// timeline showed the leader moves since, and "n2 slow to answer: 30 times
// ...; no answer now" was buried under them. The entry now moves to the
// top at each new spell, at its time and epoch, and says when the first
// was. The user's place does not move: an entry selected off the top stays
// selected on the same screen line (enter travels to it, its "◀ shown in
// Cluster" mark stays on it), the selected entry itself is updated where it
// is, and with the cursor on the newest entry it follows the newest.
func TestASlowNodesEntryMovesUpWithoutMovingTheUser(t *testing.T) {
	p := newPresenter(t)
	p.slowPoll("n2", 700*time.Millisecond)
	for g := 0; g < 6; g++ { // six leader moves after n2's first spell
		p.moveGroup(time.Second, g, []string{"n1", "n3"}[g%2])
	}
	p.at = p.at.Add(time.Second)
	p.slowPoll("n2", 800*time.Millisecond) // 8 s after the first, a second after the last move
	got := p.lines()
	if len(got) != 8 || !strings.HasSuffix(got[0], "epoch 13  n2 slow to answer: 2 times in 8.3s (first 03:04:05), longest answer 0.8s") {
		t.Fatalf("n2's second spell, after six moves: its entry is not on top:\n%s", strings.Join(got, "\n"))
	}
	if e := p.m.Entries()[0]; !e.At.After(p.m.Entries()[1].At) {
		t.Errorf("n2's entry at %s, not after the last move's %s", e.At.Format("15:04:05.000"), p.m.Entries()[1].At.Format("15:04:05.000"))
	}

	// Five more moves: n2's entry is sixth. The user reads the newer moves
	// in a small pane, one selected below the window's first line; n2's
	// next spell moves its entry from below the window to the top, above
	// it: nothing the user sees moves.
	for g := 0; g < 5; g++ {
		p.moveGroup(time.Second, g, []string{"n2", "n3"}[g%2])
	}
	p.at = p.at.Add(time.Second)
	p.m.SetSize(160, 4) // the title and three lines
	for i := 0; i < 3; i++ {
		p.m.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	sel := p.m.Entries()[3]
	p.m.Update(common.TimeTravelMsg{Epoch: sel.Epoch, At: sel.At})
	was := p.m.View()
	if !strings.Contains(was, "> "+sel.lines()[0]+"  ◀ shown in Cluster") || strings.Contains(was, "n2 slow") ||
		!strings.Contains(p.lines()[5], "n2 slow to answer: 2 times") {
		t.Fatalf("the selected move %q is not selected and marked, or n2's entry not below it:\n%s\n%s", sel.lines()[0], was, strings.Join(p.lines(), "\n"))
	}
	p.slowPoll("n2", 600*time.Millisecond)
	if after := p.m.View(); after != was {
		t.Errorf("n2's entry moving up changed what the user sees:\n%s\nthen\n%s", was, after)
	}
	if got := p.lines(); !strings.Contains(got[0], "n2 slow to answer: 3 times") {
		t.Errorf("n2's entry not on top:\n%s", strings.Join(got, "\n"))
	}
	cmd := p.m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	for _, c := range cmd().(tea.BatchMsg) {
		if msg, ok := c().(common.TimeTravelMsg); ok && (msg.Epoch != sel.Epoch || !msg.At.Equal(sel.At)) {
			t.Errorf("enter travels to epoch %d at %s, want the selected move's epoch %d", msg.Epoch, msg.At.Format("15:04:05"), sel.Epoch)
		}
	}

	// The user selects n2's entry itself: a spell updates it where it is.
	p.m.SetSize(160, 40)
	for i := 0; i < 20; i++ {
		p.m.Update(tea.KeyMsg{Type: tea.KeyUp})
	}
	p.moveGroup(time.Second, 8, "n3")
	p.m.Update(tea.KeyMsg{Type: tea.KeyDown}) // on n2's entry, under the newest move
	p.at = p.at.Add(time.Second)
	p.slowPoll("n2", 600*time.Millisecond)
	got = p.lines()
	if !strings.Contains(got[1], "n2 slow to answer: 4 times") || !strings.Contains(p.m.View(), "> "+p.m.Entries()[1].lines()[0]) {
		t.Errorf("the selected n2 entry moved or was not updated:\n%s", p.m.View())
	}
	// The cursor on the newest entry follows the newest: n2's, moved up.
	p.m.Update(tea.KeyMsg{Type: tea.KeyUp})
	p.at = p.at.Add(time.Second)
	p.slowPoll("n2", 600*time.Millisecond)
	if v := p.m.View(); !strings.Contains(v, "> "+p.m.Entries()[0].lines()[0]) || !strings.Contains(p.m.Entries()[0].Note, "5 times") {
		t.Errorf("with the cursor on the newest, n2's entry moved up is selected:\n%s", v)
	}
}
