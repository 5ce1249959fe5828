package keybindings

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

type paneKeys struct{ Go key.Binding }

func (p *paneKeys) Named() map[string]*key.Binding { return map[string]*key.Binding{"go": &p.Go} }

func TestRebind(t *testing.T) {
	g := DefaultKeyMap()
	p := &paneKeys{Go: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "go somewhere"))}
	scopes := map[string]Named{"": g, "pane": p}
	if err := Rebind(scopes, map[string][]string{"quit": {"x", "ctrl+q"}, "pane.go": {"G"}}); err != nil {
		t.Fatal(err)
	}
	if !key.Matches(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}, g.Quit) || key.Matches(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}, g.Quit) {
		t.Error("quit not rebound to x")
	}
	if h := p.Go.Help(); h.Key != "G" || h.Desc != "go somewhere" {
		t.Errorf("pane help = %+v", h)
	}
	for overrides, want := range map[string]string{
		"nope.go":  `unknown pane "nope"`,
		"pane.fly": `unknown action "fly"`,
		"fly":      `unknown action "fly"`,
	} {
		err := Rebind(scopes, map[string][]string{overrides: {"f"}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", overrides, err, want)
		}
	}
	if err := Rebind(scopes, map[string][]string{"quit": {}}); err == nil {
		t.Error("empty key list accepted")
	}
}

func TestHelpListsEveryGlobalKey(t *testing.T) {
	g := DefaultKeyMap()
	n := 0
	for _, col := range g.FullHelp() {
		n += len(col)
	}
	if n != len(g.Named())+1 { // GotoTab is listed but not rebindable
		t.Errorf("full help lists %d keys, key map has %d rebindable + 1", n, len(g.Named()))
	}
}
