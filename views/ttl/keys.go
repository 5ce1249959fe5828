package ttl

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the TTL inspector's keys.
type KeyMap struct {
	Select    key.Binding
	SelectAll key.Binding
	Extend    key.Binding
	Clear     key.Binding
	Rescan    key.Binding
	Scale     key.Binding
}

// DefaultKeyMap returns the TTL inspector's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Select:    key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "select key")),
		SelectAll: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "select all / none")),
		Extend:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "extend TTL of selection")),
		Clear:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear TTL of selection")),
		Rescan:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rescan now")),
		Scale:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "histogram: minutes / hours")),
	}
}

// Named maps rebindable action names to bindings ("ttl.extend", ...).
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{
		"select": &k.Select, "select-all": &k.SelectAll, "extend": &k.Extend,
		"clear": &k.Clear, "rescan": &k.Rescan, "scale": &k.Scale,
	}
}
