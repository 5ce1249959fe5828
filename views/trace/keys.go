package trace

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the trace pane's keys.
type KeyMap struct {
	Edit  key.Binding
	Run   key.Binding
	Leave key.Binding
}

// DefaultKeyMap returns the trace pane's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Edit:  key.NewBinding(key.WithKeys("enter", "e", "i"), key.WithHelp("enter/e", "type a key")),
		Run:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "trace the typed key")),
		Leave: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop typing")),
	}
}

// Named maps rebindable action names to bindings ("trace.edit", ...).
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{"edit": &k.Edit, "run": &k.Run, "leave": &k.Leave}
}
