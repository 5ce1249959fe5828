// Package vectors is the console's vectors pane: the cluster's vector
// indexes, interactive k-NN searches (typed, by id, or random) with ranked
// results, a recall check, per-namespace latency sparklines, and index and
// vector writes from the pane.
package vectors

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/charmbracelet/bubbles/key"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// Minimum size the pane can draw in.
const (
	MinWidth  = 50
	MinHeight = 10
)

// refreshEvery is how many root ticks (one a second) pass between index
// list refreshes.
const refreshEvery = 5

// DefaultK is the k of a new pane.
const DefaultK = 10

// Form fields, in tab order.
const (
	fieldQuery = iota
	fieldK
	fieldEf
	fieldNS
	numFields
	fieldNone = -1
)

// queryMode says how the query vector is given.
type queryMode int

const (
	modeVector queryMode = iota // typed (or random) values
	modeByID                    // the stored vector of an id
)

// consistencies are the levels the consistency key cycles through.
var consistencies = []client.ConsistencyLevel{client.ConsistencyLease, client.ConsistencyLinearizable, client.ConsistencyStaleOK}

// Model is the vectors pane.
type Model struct {
	common common.Common
	keys   *KeyMap
	width  int
	height int
	now    time.Time
	rng    *rand.Rand

	// Index list.
	indexes     []client.VectorIndexInfo
	listErr     error
	unsupported bool // the server has no ListVectorIndexes
	listedAt    time.Time
	// listOKAt is when the list shown was made (the last listing that
	// succeeded): after a failed one the title says how old it is.
	listOKAt time.Time
	listing  bool
	listReq  int
	// down names the nodes the last cluster view has not alive or the
	// console cannot reach; unlisted the indexes kept from an earlier
	// listing that a listing made while some were down lacked.
	down     []string
	unlisted map[string]bool
	ticks    int
	filter   string
	cursor   int              // into visible()
	sort     common.SortState // the list's sort (o/O at the root)

	// Query form.
	inputs      [numFields]common.Input
	idInput     common.Input // the query field in by-id mode
	focus       int
	typedNS     bool // the namespace was typed by hand, not picked from the list
	mode        queryMode
	consistency int // index into consistencies
	vectors     bool
	exact       bool // searches ask for an exact scan
	formErr     error

	// Results.
	searchReq int
	searching bool
	// inFlight names the writes sent and not answered yet, oldest first.
	inFlight []string
	// retry spaces the searches run again by themselves after one went
	// unanswered (rerunUnansweredSearch).
	retry  common.RetryGate
	result *searchMsg
	scroll int // first result row shown
	// resultRows is how many result rows View draws (a page), set by layout.
	resultRows int

	hist map[string]*history
}

// New returns the vectors pane.
func New(c common.Common) *Model {
	m := &Model{
		common: c, keys: DefaultKeyMap(), focus: fieldNone, hist: map[string]*history{},
		rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9e3779b97f4a7c15)),
	}
	mk := func(prompt, placeholder string, limit int) common.Input {
		in := common.NewField(prompt, placeholder)
		in.CharLimit = limit
		in.SetStyles(c.Styles)
		return in
	}
	m.inputs[fieldQuery] = mk("vector> ", "numbers separated by commas or spaces (x: random)", 0)
	m.idInput = mk("id> ", "search with the stored vector of this id", 512)
	m.inputs[fieldK] = mk("k ", strconv.Itoa(DefaultK), 4)
	m.inputs[fieldK].SetValue(strconv.Itoa(DefaultK))
	m.inputs[fieldEf] = mk("ef ", "default", 6)
	m.inputs[fieldNS] = mk("namespace> ", "pick an index above or type a namespace (n)", 256)
	m.SetSize(0, 0)
	return m
}

// SetStyles implements common.Styler.
func (m *Model) SetStyles(st *themes.Styles) {
	m.common.Styles = st
	for i := range m.inputs {
		m.inputs[i].SetStyles(st)
	}
	m.idInput.SetStyles(st)
}

// Keys returns the pane's key map, for rebinding.
func (m *Model) Keys() *KeyMap { return m.keys }

// MinSize implements common.MinSizer: the smallest area the pane draws in.
func (m *Model) MinSize() (width, height int) { return MinWidth, MinHeight }

// Title implements common.Pane.
func (m *Model) Title() string { return "Vectors" }

// SetSize implements common.Pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.inputs[fieldQuery].Width = max(1, w-len(m.inputs[fieldQuery].Prompt)-1)
	m.idInput.Width = max(1, w-len(m.idInput.Prompt)-1)
	m.inputs[fieldNS].Width = max(1, min(40, w/3))
	// A field scrolls its text to the width it had when the text was set;
	// set it again so a value set before this size shows from its start.
	// (The field's own SetValue: the selection, if any, stays.)
	for _, in := range []*common.Input{&m.inputs[fieldQuery], &m.idInput, &m.inputs[fieldNS]} {
		pos := in.Position()
		in.Model.SetValue(in.Value())
		in.SetCursor(pos)
	}
	m.layout()
}

// SetFilter keeps the indexes whose namespace contains text.
func (m *Model) SetFilter(text string) {
	sel := m.Namespace()
	m.filter = text
	m.cursor = 0
	for i, ix := range m.visible() {
		if ix.Namespace == sel {
			m.cursor = i
		}
	}
	m.layout()
}

// CapturingInput implements common.InputCapturer.
func (m *Model) CapturingInput() bool { return m.focus != fieldNone }

// Namespace returns the namespace the query form targets.
func (m *Model) Namespace() string { return m.inputs[fieldNS].Value() }

// Indexes returns the indexes listed, sorted by namespace.
func (m *Model) Indexes() []client.VectorIndexInfo { return m.indexes }

// ListedAt returns when the last listing answered (zero before one).
func (m *Model) ListedAt() time.Time { return m.listedAt }

// Result returns the matches of the last search shown, nil before one.
func (m *Model) Result() *client.VectorSearchResult {
	if m.result == nil {
		return nil
	}
	return m.result.res
}

// Samples returns how many latency samples the namespace's history holds.
func (m *Model) Samples(ns string) int { return m.hist[ns].len() }

// Consistency returns the consistency level searches use.
func (m *Model) Consistency() client.ConsistencyLevel { return consistencies[m.consistency] }

// index returns the listed index of namespace ns.
func (m *Model) index(ns string) (client.VectorIndexInfo, bool) {
	for _, ix := range m.indexes {
		if ix.Namespace == ns {
			return ix, true
		}
	}
	return client.VectorIndexInfo{}, false
}

// queryInput returns the field that holds the query in the current mode.
func (m *Model) queryInput() *common.Input {
	if m.mode == modeByID {
		return &m.idInput
	}
	return &m.inputs[fieldQuery]
}

// input returns form field f, the query field following the mode.
func (m *Model) input(f int) *common.Input {
	if f == fieldQuery {
		return m.queryInput()
	}
	return &m.inputs[f]
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	if m.focus != fieldNone {
		return []key.Binding{m.keys.Run, m.keys.NextField, m.keys.Leave}
	}
	return []key.Binding{m.keys.Edit, m.keys.Random, m.keys.Recall, m.keys.Mode}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	g := m.common.Keys
	k := m.keys
	return [][]key.Binding{
		{g.Up, g.Down, g.PageUp, g.PageDown, k.Refresh, k.Namespace},
		{k.Edit, k.Run, k.Search, k.Random, k.Mode, k.Similar, k.NextField, k.PrevField, k.Leave},
		{k.Consistency, k.Vectors, k.Recall, k.Sweep},
		m.common.WriteKeys(k.Insert, k.Import, k.Delete, k.Create, k.Drop),
	}
}
