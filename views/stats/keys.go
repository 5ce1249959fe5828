package stats

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the stats pane's own keys; movement uses the global keys.
type KeyMap struct {
	ShowAll key.Binding
	// ByNode splits the selected operation's latency by node.
	ByNode key.Binding
}

// DefaultKeyMap returns the stats pane's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		ShowAll: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "show idle operations too")),
		ByNode:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "latency by node (which node is slow)")),
	}
}

// Named maps rebindable action names to bindings ("stats.show-all", "stats.by-node").
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{"show-all": &k.ShowAll, "by-node": &k.ByNode}
}
