package vectors

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the vectors pane's own keys; moving through the index list
// uses the global up/down keys.
type KeyMap struct {
	Edit        key.Binding // focus the query field
	Namespace   key.Binding // type a namespace by hand
	Search      key.Binding // run the search with the current inputs
	Run         key.Binding // search, while typing
	NextField   key.Binding // while typing
	PrevField   key.Binding // while typing
	Leave       key.Binding // stop typing
	Mode        key.Binding // vector / by id / random
	Random      key.Binding // search with a fresh random vector
	Consistency key.Binding
	Vectors     key.Binding // include vectors in results
	Exact       key.Binding // exact scan instead of the HNSW graph
	Recall      key.Binding
	Sweep       key.Binding // recall and latency at several ef
	Refresh     key.Binding
	Insert      key.Binding
	Import      key.Binding // load vectors from a file
	Delete      key.Binding
	Create      key.Binding
	Drop        key.Binding
	Similar     key.Binding // query by the id of the first result shown
}

// DefaultKeyMap returns the vectors pane's keys before rebinding.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Edit:        key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter/e", "type the query")),
		Namespace:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "type a namespace")),
		Search:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "search again")),
		Run:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search")),
		NextField:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Leave:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop typing")),
		Mode:        key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "query by vector/id/random")),
		Random:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "random query")),
		Consistency: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "consistency")),
		Vectors:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "show vectors")),
		Exact:       key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "exact scan on/off")),
		Recall:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "check recall")),
		Sweep:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "ef sweep (recall and latency per ef)")),
		Refresh:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh indexes")),
		Insert:      key.NewBinding(key.WithKeys("I"), key.WithHelp("I", "insert vector")),
		Import:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "load vectors from a file")),
		Delete:      key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "delete vector")),
		Create:      key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "create index")),
		Drop:        key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "drop index")),
		Similar:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "find similar to a result")),
	}
}

// Named maps rebindable action names to bindings ("vectors.search", ...).
func (k *KeyMap) Named() map[string]*key.Binding {
	return map[string]*key.Binding{
		"edit": &k.Edit, "namespace": &k.Namespace, "search": &k.Search, "run": &k.Run, "next-field": &k.NextField,
		"prev-field": &k.PrevField, "leave": &k.Leave, "mode": &k.Mode, "random": &k.Random,
		"consistency": &k.Consistency, "vectors": &k.Vectors, "exact": &k.Exact, "recall": &k.Recall, "sweep": &k.Sweep, "refresh": &k.Refresh,
		"insert": &k.Insert, "import": &k.Import, "delete": &k.Delete, "create": &k.Create, "drop": &k.Drop, "similar": &k.Similar,
	}
}
