// Package ui is the console's root model: it holds the panes and the active
// one, draws the chrome (header, tab bar, status line, help and palette
// overlays), routes messages, and lays panes out. Panes live in views/.
package ui

import (
	"sort"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/feed"
	"github.com/norikv/norikv-console/ui/palette"
	"github.com/norikv/norikv-console/views/cluster"
	"github.com/norikv/norikv-console/views/events"
	"github.com/norikv/norikv-console/views/keys"
	"github.com/norikv/norikv-console/views/stats"
	"github.com/norikv/norikv-console/views/trace"
	"github.com/norikv/norikv-console/views/vectors"
)

// Minimum terminal size for the whole console.
const (
	MinWidth  = 40
	MinHeight = 8
)

// pollEvery is how many ticks pass between node status polls.
const pollEvery = 2

// infoFor is how many ticks a success note stays in the status line.
const infoFor = 8

// Connection states shown in the header.
const (
	StateConnecting   = "connecting"
	StateConnected    = "connected"
	StateDegraded     = "degraded"
	StateReconnecting = "reconnecting"
)

// Options configure the root model.
type Options struct {
	Common common.Common
	// Renderer renders the styles; theme switches rebuild the styles with it.
	Renderer *lipgloss.Renderer
	// Feed delivers topology events; nil in tests without a cluster.
	Feed *feed.Feed
	// KeyOverrides rebinds keys ("quit", "cluster.transfer", ...).
	KeyOverrides map[string][]string
	// Notice is shown in the status line at start (e.g. what was seeded).
	Notice string
}

// Model is the root model.
type Model struct {
	common   common.Common
	renderer *lipgloss.Renderer
	feed     *feed.Feed

	panes  []common.Pane
	active int
	width  int
	height int

	view       *client.ClusterView
	connState  string
	connErr    error
	reachable  map[string]bool
	polling    int // node status answers still awaited
	ticks      int
	seedsOnly  bool
	lastErr    error
	lastHint   string
	lastOp     string
	lastOpTime time.Duration
	info       string
	infoTicks  int // ticks since info was set; it fades after infoFor

	palette   palette.Model
	help      helpModel
	filtering bool
	filter    textinput.Model
	tabs      []tabPos // tab bar hit boxes
}

// tabPos is a tab's horizontal extent on the tab bar.
type tabPos struct{ from, to int }

// New builds the root model: the monitoring panes, then the data panes
// (keys, vectors).
func New(opts Options) (*Model, error) {
	c := opts.Common
	if c.Keys == nil {
		c.Keys = keybindings.DefaultKeyMap()
	}
	if c.Styles == nil {
		r := opts.Renderer
		if r == nil {
			r = lipgloss.DefaultRenderer()
		}
		c.Styles = themes.NewStyles(themes.Dark(), r)
	}
	cl, ev, stp, tr, ks, vec := cluster.New(c), events.New(c), stats.New(c), trace.New(c), keys.New(c), vectors.New(c)
	scopes := map[string]keybindings.Named{"": c.Keys, "cluster": cl.Keys(), "events": ev.Keys(), "stats": stp.Keys(),
		"trace": tr.Keys(), "keys": ks.Keys(), "vectors": vec.Keys()}
	if err := keybindings.Rebind(scopes, opts.KeyOverrides); err != nil {
		return nil, err
	}
	f := common.NewInput("/", "filter")
	m := &Model{
		common: c, renderer: opts.Renderer, feed: opts.Feed,
		panes:     []common.Pane{cl, ev, stp, tr, ks, vec},
		connState: StateConnecting, reachable: map[string]bool{},
		palette: palette.New(c.Styles), help: newHelp(c.Styles), filter: f,
		info: opts.Notice,
	}
	return m, nil
}

// CheckKeys validates key overrides one at a time against the default key
// maps, returning the first bad entry's name with its error.
func CheckKeys(overrides map[string][]string) (string, error) {
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		scopes := map[string]keybindings.Named{"": keybindings.DefaultKeyMap(), "cluster": cluster.DefaultKeyMap(),
			"events": events.DefaultKeyMap(), "stats": stats.DefaultKeyMap(), "trace": trace.DefaultKeyMap(), "keys": keys.DefaultKeyMap(),
			"vectors": vectors.DefaultKeyMap()}
		if err := keybindings.Rebind(scopes, map[string][]string{n: overrides[n]}); err != nil {
			return n, err
		}
	}
	return "", nil
}

// Active returns the active pane.
func (m *Model) Active() common.Pane { return m.panes[m.active] }

// Panes returns the panes in tab order.
func (m *Model) Panes() []common.Pane { return m.panes }

// ConnState returns the connection state shown in the header.
func (m *Model) ConnState() string { return m.connState }

// ClusterView returns the latest view the console shows.
func (m *Model) ClusterView() *client.ClusterView { return m.view }

// LastError returns the error shown in the status line, if any.
func (m *Model) LastError() error { return m.lastErr }

// PaletteStage returns "" when the palette is closed, else its stage.
func (m *Model) PaletteStage() string { return m.palette.Stage() }

// PaletteMatches returns the commands the palette lists.
func (m *Model) PaletteMatches() []string { return m.palette.Matches() }

// HelpOpen reports whether the help overlay is shown.
func (m *Model) HelpOpen() bool { return m.help.open }

// Filtering reports whether the filter input has focus.
func (m *Model) Filtering() bool { return m.filtering }
