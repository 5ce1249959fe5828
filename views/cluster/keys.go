package cluster

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the cluster pane's own keys; movement uses the global keys.
type KeyMap struct {
	Transfer key.Binding
	Trace    key.Binding
	NextMove key.Binding
}

// DefaultKeyMap returns the cluster pane's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Transfer: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "move shard leader")),
		Trace:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "trace a key of this shard")),
		NextMove: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next shard that just moved")),
	}
}

// Named maps rebindable action names to bindings ("cluster.transfer", ...).
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{"transfer": &k.Transfer, "trace": &k.Trace, "next-move": &k.NextMove}
}
