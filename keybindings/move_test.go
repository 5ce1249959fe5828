package keybindings

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestMove(t *testing.T) {
	k := DefaultKeyMap()
	cases := []struct {
		msg  tea.KeyMsg
		want int
		ok   bool
	}{
		{tea.KeyMsg{Type: tea.KeyUp}, 4, true},
		{tea.KeyMsg{Type: tea.KeyDown}, 6, true},
		{tea.KeyMsg{Type: tea.KeyPgUp}, 2, true},
		{tea.KeyMsg{Type: tea.KeyPgDown}, 8, true},
		{tea.KeyMsg{Type: tea.KeyHome}, 0, true},
		{tea.KeyMsg{Type: tea.KeyEnd}, 19, true},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("z")}, 5, false},
	}
	for _, c := range cases {
		if got, ok := k.Move(c.msg, 5, 3, 20); got != c.want || ok != c.ok {
			t.Errorf("Move(%s) = %d, %v; want %d, %v", c.msg, got, ok, c.want, c.ok)
		}
	}
}
