package cluster

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the cluster pane's own keys; movement uses the global keys.
type KeyMap struct {
	Transfer key.Binding
	Trace    key.Binding
	NextMove key.Binding
	// TableUp and TableDown scroll the nodes table when it has more nodes
	// than fit (a 12- or 50-node cluster).
	TableUp   key.Binding
	TableDown key.Binding
	// ColourBy switches the heatmap between leader colours and the
	// leader's health (a 50-node cluster repeats the theme's colours).
	ColourBy key.Binding
}

// DefaultKeyMap returns the cluster pane's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Transfer:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "move shard leader")),
		Trace:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "trace a key of this shard")),
		NextMove:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next shard that just moved")),
		TableUp:   key.NewBinding(key.WithKeys("["), key.WithHelp("[", "scroll the nodes table up")),
		TableDown: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "scroll the nodes table down")),
		ColourBy:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "colour the heatmap by leader / by leader's health")),
	}
}

// Named maps rebindable action names to bindings ("cluster.transfer", ...).
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{"transfer": &k.Transfer, "trace": &k.Trace, "next-move": &k.NextMove,
		"table-up": &k.TableUp, "table-down": &k.TableDown, "colour-by": &k.ColourBy}
}
