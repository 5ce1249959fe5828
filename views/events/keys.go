package events

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the events pane's own keys; movement uses the global keys.
type KeyMap struct {
	Clear key.Binding
	// Travel shows the cluster pane as it was at the selected event.
	Travel key.Binding
}

// DefaultKeyMap returns the events pane's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Clear:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear the timeline")),
		Travel: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show the cluster at this epoch (time travel)")),
	}
}

// Named maps rebindable action names to bindings ("events.clear", "events.travel").
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{"clear": &k.Clear, "travel": &k.Travel}
}
