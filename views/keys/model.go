// Package keys is the console's key browser: a paged, ordered list of the
// cluster's keys (every shard, by prefix), a detail view of one key (value
// as text, JSON or hex dump, version, shard, TTL countdown, serving node),
// and compare-and-swap writes: edit a value, put a new key, set or remove a
// TTL, delete. Every network call runs in a tea.Cmd.
package keys

import (
	"time"

	"github.com/charmbracelet/bubbles/key"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// Minimum size the pane can draw in.
const (
	MinWidth  = 30
	MinHeight = 4
)

// DefaultPageSize is how many keys one page holds.
const DefaultPageSize = 100

// The editor opens values up to maxEditBytes and maxEditLines (as shown:
// binary values as hex take a line per 16 bytes): the text area redraws
// every line on each key, so larger values would make typing crawl.
const (
	maxEditBytes = 64 << 10
	maxEditLines = 1024
)

type mode int

const (
	modeList mode = iota
	modeDetail
	modeEdit
	modeNew
)

// Model is the keys pane.
type Model struct {
	common common.Common
	keys   *KeyMap
	width  int
	height int
	now    time.Time
	loc    *time.Location

	// Browsing.
	prefix      string
	scanPending bool // the prefix changed: scan again on the next tick
	staleOK     bool
	pageSize    int
	pages       [][]byte // start cursor of each page up to the shown one
	offsets     []int    // keys before each page in pages
	entries     []client.KeyEntry
	next        []byte // cursor of the page after this one
	done        bool   // no page after this one
	cursor, top int
	loading     bool
	loaded      bool // a page has arrived
	listErr     error
	listReq     int
	scannedAt   time.Time
	scanTook    time.Duration
	// groupKeys is each replication group's key count as its leader last
	// reported it (NodeStatus), for the cluster-wide total in the title.
	groupKeys map[int]uint64
	// countedBy names the node whose report gave each group's count, and
	// silent the nodes whose last status poll failed: a count from a silent
	// node is not current, and the title shows no total then.
	countedBy map[int]string
	silent    map[string]bool
	// scanCount is the cluster's key count (clusterKeys) when the shown
	// scan started, scanCountOK whether one was known: an empty first page
	// is scanned again when the count moves past it.
	scanCount   uint64
	scanCountOK bool
	// land is a key the cursor goes to once a scan lists it: a new key just
	// put, which the detail shows (side by side, both name the same key).
	land []byte

	mode      mode
	detail    *detail
	detailReq int
	edit      *editor
	form      *newForm
	writing   bool
	// uncertain is the last write whose outcome is unknown (it failed after
	// it was sent: a timeout, a lost answer), with its idempotency key: the
	// same write again reuses the key, so it applies at most once and, if
	// the first one was applied, gets its answer instead of a conflict.
	uncertain *writeOp

	tree keyTree
	sort common.SortState // of the page shown, kept across pages
}

// detail is the key shown in the detail view.
type detail struct {
	key     []byte
	res     *client.GetResult // nil while loading or after an error
	err     error
	loading bool
	readAt  time.Time
	// readLevel is the consistency res was read at.
	readLevel client.ConsistencyLevel
	scroll    int
	hex       bool
	editNext  bool // open the editor once loaded
	conflict  *conflict
	note      string // result of the last write on this key
	// retry spaces the reads sent again by themselves after one went
	// unanswered or a write on the key had an unknown outcome
	// (rereadUnansweredDetail).
	retry common.RetryGate
	// unsettled is the error of the last write on this key when its
	// outcome is unknown: what is shown may no longer be the key until it
	// is read again.
	unsettled error

	// view is the value laid out for the pane's width and hex mode (built
	// by layout); query and nowrap outlive it (a reload, a resize).
	view   *viewer
	query  string // search inside the value (`/` in the detail view)
	nowrap bool
	hoff   int // first column shown without wrapping
}

// conflict is a compare-and-swap that failed: the key changed (or went
// away) since the version the user worked from.
type conflict struct {
	op       string
	expected client.Version
	current  *client.Version // nil when unknown or the key is gone
	missing  bool
}

// New returns the keys pane.
func New(c common.Common) *Model {
	return &Model{common: c, keys: DefaultKeyMap(), loc: time.Local, pageSize: DefaultPageSize, pages: [][]byte{nil}, offsets: []int{0}, tree: newKeyTree()}
}

// Keys returns the pane's key map, for rebinding.
func (m *Model) Keys() *KeyMap { return m.keys }

// SetStyles implements common.Styler.
func (m *Model) SetStyles(st *themes.Styles) {
	m.common.Styles = st
	if f := m.form; f != nil {
		f.keyIn.SetStyles(st)
		f.ttlIn.SetStyles(st)
	}
}

// MinSize implements common.MinSizer: the smallest area the pane draws in.
func (m *Model) MinSize() (width, height int) { return MinWidth, MinHeight }

// Title implements common.Pane.
func (m *Model) Title() string { return "Keys" }

// SetSize implements common.Pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.edit != nil {
		m.edit.setSize(w, h)
	}
	if m.form != nil {
		m.form.setSize(w, h)
	}
	m.layout()
}

// SetPageSize changes how many keys a page holds (1..10000); the next scan
// uses it.
func (m *Model) SetPageSize(n int) { m.pageSize = max(1, min(n, client.MaxScanLimit)) }

// SetFilter implements common.Filterable: the filter is a key prefix. The
// loaded page narrows at once and the cluster is scanned for the prefix on
// the next tick (the filter input gives the pane no command to run).
//
// In the detail view the filter searches inside the value instead (n and N
// move between the matches); the list's prefix stays as it was.
func (m *Model) SetFilter(text string) {
	if m.mode == modeDetail && m.detail != nil {
		m.search(text)
		return
	}
	if text == m.prefix {
		return
	}
	m.prefix = text
	m.scanPending = true
	m.cursor, m.top = 0, 0
	m.layout()
}

// CapturingInput implements common.InputCapturer: the editor and the
// new-key form own the keyboard.
func (m *Model) CapturingInput() bool { return m.mode == modeEdit || m.mode == modeNew }

// Entries returns the keys of the page shown that match the prefix.
func (m *Model) Entries() []client.KeyEntry { return m.visible() }

// Loaded reports whether a scan has answered and none is running.
func (m *Model) Loaded() bool { return m.loaded && !m.loading }

// Selected returns the key under the cursor, nil when none.
func (m *Model) Selected() []byte {
	vis := m.visible()
	if m.cursor < 0 || m.cursor >= len(vis) {
		return nil
	}
	return vis[m.cursor].Key
}

// Page returns the number of the page shown, from 1.
func (m *Model) Page() int { return len(m.pages) }

// Mode names what the pane shows: "list", "detail", "edit" or "new".
func (m *Model) Mode() string { return [...]string{"list", "detail", "edit", "new"}[m.mode] }

// Detail returns the key shown in the detail view and what was read, nil
// when nothing is loaded.
func (m *Model) Detail() ([]byte, *client.GetResult) {
	if m.detail == nil {
		return nil, nil
	}
	return m.detail.key, m.detail.res
}

// Conflict reports the last failed compare-and-swap on the shown key: the
// version the user worked from and the current one (nil if gone/unknown).
func (m *Model) Conflict() (expected client.Version, current *client.Version, ok bool) {
	var c *conflict
	switch {
	case m.mode == modeEdit && m.edit != nil:
		c = m.edit.conflict
	case m.detail != nil:
		c = m.detail.conflict
	}
	if c == nil {
		return client.Version{}, nil, false
	}
	return c.expected, c.current, true
}

// Busy reports whether a scan, read or write is in flight.
func (m *Model) Busy() bool {
	return m.loading || m.writing || (m.detail != nil && m.detail.loading)
}

// level is the consistency of the pane's reads.
func (m *Model) level() client.ConsistencyLevel {
	if m.staleOK {
		return client.ConsistencyStaleOK
	}
	return client.ConsistencyLease
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch m.mode {
	case modeEdit:
		if m.edit != nil && m.edit.conflict != nil {
			return []key.Binding{k.Merge, k.Overwrite, k.Reload, k.Cancel}
		}
		return []key.Binding{k.Save, k.Cancel, k.Reload}
	case modeNew:
		return []key.Binding{k.NextField, k.Save, k.Cancel}
	case modeDetail:
		return append(m.common.WriteKeys(k.Edit, k.TTL, k.Delete), k.Refresh, k.Hex, k.SearchNext, k.Wrap, k.Fold)
	}
	return append(append([]key.Binding{k.Open}, m.common.WriteKeys(k.Add, k.Edit, k.TTL, k.Delete)...), k.NextPage, k.PrevPage, k.Tree)
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	g, k := m.common.Keys, m.keys
	return [][]key.Binding{
		{g.Up, g.Down, g.PageUp, g.PageDown, g.Home, g.End, g.Filter},
		append(append([]key.Binding{k.Open}, m.common.WriteKeys(k.Add, k.Edit, k.TTL, k.Delete)...), k.Refresh, k.NextPage, k.PrevPage, k.Stale),
		{k.Hex, k.PrevKey, k.NextKey, g.Back},
		{g.Filter, k.SearchNext, k.SearchPrev, k.Wrap, k.ScrollL, k.ScrollR, k.Fold, k.FoldAll},
		{k.Tree, g.Left, g.Right},
		{k.Save, k.Cancel, k.Reload, k.Overwrite, k.NextField, k.PrevField},
		{k.Merge, k.TakeTheirs, k.TakeYours, k.TakeBoth},
	}
}
