package keys

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the keys pane's own keys; movement uses the global keys.
type KeyMap struct {
	Open     key.Binding
	Edit     key.Binding
	Add      key.Binding
	TTL      key.Binding
	Delete   key.Binding
	Refresh  key.Binding
	NextPage key.Binding
	PrevPage key.Binding
	Stale    key.Binding
	Hex      key.Binding
	PrevKey  key.Binding
	NextKey  key.Binding

	// Value viewer keys (detail view); `/` searches.
	SearchNext key.Binding
	SearchPrev key.Binding
	Wrap       key.Binding
	Fold       key.Binding
	FoldAll    key.Binding
	ScrollL    key.Binding
	ScrollR    key.Binding

	// Tree shows the keys grouped by prefix (list).
	Tree key.Binding

	// After a conflict: merge your edit into theirs, and choose a side
	// where both changed the same place.
	Merge      key.Binding
	TakeTheirs key.Binding
	TakeYours  key.Binding
	TakeBoth   key.Binding

	// Editor keys, active while a text field has focus.
	Save      key.Binding
	Cancel    key.Binding
	Reload    key.Binding
	Overwrite key.Binding
	NextField key.Binding
	PrevField key.Binding
}

// DefaultKeyMap returns the keys pane's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the key")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit the value (compare-and-swap)")),
		Add:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "put a new key")),
		TTL:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "set or remove the TTL")),
		Delete:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete the key (confirm)")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		NextPage: key.NewBinding(key.WithKeys("]", "n"), key.WithHelp("]/n", "next page")),
		PrevPage: key.NewBinding(key.WithKeys("[", "p"), key.WithHelp("[/p", "previous page")),
		Stale:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "toggle stale_ok reads")),
		Hex:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "value as hex dump / text")),
		PrevKey:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous key (detail)")),
		NextKey:  key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next key (detail)")),

		SearchNext: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match in the value (detail, after /)")),
		SearchPrev: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match in the value (detail)")),
		Wrap:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap long lines on/off (detail)")),
		Fold:       key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "fold/unfold the JSON block at the match or top line (detail)")),
		FoldAll:    key.NewBinding(key.WithKeys("Z"), key.WithHelp("Z", "fold all large JSON blocks / unfold all (detail)")),
		ScrollL:    key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "scroll left (detail, no wrap)")),
		ScrollR:    key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "scroll right (detail, no wrap)")),
		Tree:       key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "key tree by prefix / flat list")),
		Merge:      key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "merge your edit into theirs (after a conflict)")),
		TakeTheirs: key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "take theirs (merge conflict)")),
		TakeYours:  key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "take yours (merge conflict)")),
		TakeBoth:   key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "take both lines, theirs first (merge conflict)")),

		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save (editor)")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel (editor)")),
		Reload:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload the stored value (editor)")),
		Overwrite: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "overwrite after a conflict (editor)")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field (new key)")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field (new key)")),
	}
}

// Named maps rebindable action names to bindings ("keys.edit", ...).
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{
		"open": &k.Open, "edit": &k.Edit, "add": &k.Add, "ttl": &k.TTL, "delete": &k.Delete,
		"refresh": &k.Refresh, "next-page": &k.NextPage, "prev-page": &k.PrevPage, "stale": &k.Stale,
		"hex": &k.Hex, "prev-key": &k.PrevKey, "next-key": &k.NextKey,
		"search-next": &k.SearchNext, "search-prev": &k.SearchPrev, "wrap": &k.Wrap, "fold": &k.Fold, "fold-all": &k.FoldAll, "scroll-left": &k.ScrollL, "scroll-right": &k.ScrollR,
		"tree": &k.Tree, "merge": &k.Merge, "take-theirs": &k.TakeTheirs, "take-yours": &k.TakeYours, "take-both": &k.TakeBoth,
		"save": &k.Save, "cancel": &k.Cancel, "reload": &k.Reload, "overwrite": &k.Overwrite,
		"next-field": &k.NextField, "prev-field": &k.PrevField,
	}
}
