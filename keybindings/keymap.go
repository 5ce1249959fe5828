// Package keybindings defines the console's global keys and the rebinding of
// any named binding from the config file.
package keybindings

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap holds the keys that work on every pane.
type KeyMap struct {
	Quit     key.Binding
	Help     key.Binding
	Palette  key.Binding
	Filter   key.Binding
	Back     key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	GotoTab  key.Binding // 1..9
	Up       key.Binding
	Down     key.Binding
	Left     key.Binding
	Right    key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Home     key.Binding
	End      key.Binding
	Enter    key.Binding
	// Copy sends the active pane's selection to the clipboard (OSC 52).
	Copy key.Binding
	// CopyTable sends the active pane's table as TSV.
	CopyTable key.Binding
	// Sort sorts the active pane's table by its next column.
	Sort key.Binding
	// SortReverse reverses the sort's direction.
	SortReverse key.Binding
	// Pause freezes the screen while data keeps being collected.
	Pause key.Binding
}

// DefaultKeyMap returns the global keys before any rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette:  key.NewBinding(key.WithKeys(":", "ctrl+p"), key.WithHelp(":", "commands")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextTab:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		GotoTab:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "go to pane")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "select")),

		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy selection")),
		CopyTable:   key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy table as TSV")),
		Sort:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort by next column")),
		SortReverse: key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "reverse sort")),
		Pause:       key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "pause/resume live updates")),
	}
}

// Named maps each rebindable action name to its binding.
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{
		"quit": &k.Quit, "help": &k.Help, "palette": &k.Palette, "filter": &k.Filter,
		"back": &k.Back, "next-pane": &k.NextTab, "prev-pane": &k.PrevTab,
		"up": &k.Up, "down": &k.Down, "left": &k.Left, "right": &k.Right,
		"page-up": &k.PageUp, "page-down": &k.PageDown, "home": &k.Home, "end": &k.End,
		"enter": &k.Enter, "copy": &k.Copy, "copy-table": &k.CopyTable, "sort": &k.Sort,
		"sort-reverse": &k.SortReverse, "pause": &k.Pause,
	}
}

// ShortHelp lists the keys for the status line.
func (k *KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Palette, k.Filter, k.NextTab, k.Quit}
}

// FullHelp lists every global key, for the help overlay.
func (k *KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.GotoTab, k.NextTab, k.PrevTab, k.Help, k.Palette, k.Filter, k.Back, k.Quit},
		{k.Up, k.Down, k.Left, k.Right, k.PageUp, k.PageDown, k.Home, k.End, k.Enter},
		{k.Copy, k.CopyTable, k.Sort, k.SortReverse, k.Pause},
	}
}

// Named is implemented by every key map that can be rebound.
type Named interface {
	Named() map[string]*key.Binding
}

// Rebind applies overrides ("action" or "pane.action" -> keys) to the key maps,
// where scopes maps a scope name ("" for global, "cluster", ...) to its key map.
// Unknown scopes or actions and empty key lists are errors naming the entry.
func Rebind(scopes map[string]Named, overrides map[string][]string) error {
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, full := range names {
		keys := overrides[full]
		scope, action := "", full
		if i := strings.LastIndex(full, "."); i >= 0 {
			scope, action = full[:i], full[i+1:]
		}
		km, ok := scopes[scope]
		if !ok {
			return fmt.Errorf("key binding %q: unknown pane %q (panes: %s)", full, scope, strings.Join(scopeNames(scopes), ", "))
		}
		b, ok := km.Named()[action]
		if !ok {
			return fmt.Errorf("key binding %q: unknown action %q (actions: %s)", full, action, strings.Join(actionNames(km), ", "))
		}
		if len(keys) == 0 {
			return fmt.Errorf("key binding %q: give at least one key", full)
		}
		help := b.Help()
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), help.Desc)
	}
	return nil
}

func scopeNames(scopes map[string]Named) []string {
	var out []string
	for s := range scopes {
		if s == "" {
			s = "(global)"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func actionNames(km Named) []string {
	var out []string
	for a := range km.Named() {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Move applies a list navigation key (up, down, page up/down, home, end) to
// position pos in a list of n entries scrolling by page, and reports
// whether msg was one of them. The result may lie outside 0..n-1: callers
// clamp it to what they show.
func (k *KeyMap) Move(msg tea.KeyMsg, pos, page, n int) (int, bool) {
	switch {
	case key.Matches(msg, k.Up):
		return pos - 1, true
	case key.Matches(msg, k.Down):
		return pos + 1, true
	case key.Matches(msg, k.PageUp):
		return pos - page, true
	case key.Matches(msg, k.PageDown):
		return pos + page, true
	case key.Matches(msg, k.Home):
		return 0, true
	case key.Matches(msg, k.End):
		return n - 1, true
	}
	return pos, false
}
