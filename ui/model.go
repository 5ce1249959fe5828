// Package ui is the console's root model: it holds the panes and the active
// one, draws the chrome (header, tab bar, status line, help and palette
// overlays), routes messages, and lays panes out. Panes live in views/.
package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/audit"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/feed"
	"github.com/norikv/norikv-console/ui/journal"
	"github.com/norikv/norikv-console/ui/msglog"
	"github.com/norikv/norikv-console/ui/palette"
	"github.com/norikv/norikv-console/views/cluster"
	"github.com/norikv/norikv-console/views/events"
	"github.com/norikv/norikv-console/views/keys"
	"github.com/norikv/norikv-console/views/stats"
	"github.com/norikv/norikv-console/views/trace"
	"github.com/norikv/norikv-console/views/ttl"
	"github.com/norikv/norikv-console/views/vectors"
)

// Minimum terminal size for the whole console.
const (
	MinWidth  = 40
	MinHeight = 8
)

// infoFor is how many ticks a success note stays in the status line;
// errors stay until the next key or click.
const infoFor = 5

// Connection states shown in the header.
const (
	StateConnecting = "connecting"
	StateConnected  = "connected"
	StateDegraded   = "degraded"
	// StateBehind: the nodes report a newer cluster epoch than the view
	// shown (the node sending it cannot apply new ones).
	StateBehind       = "view behind"
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
	// NoticeIsError shows Notice as an error (e.g. a partial seed).
	NoticeIsError bool
	// Journal receives the console log and the audit records; nil discards.
	Journal *journal.Journal
	// Seed reloads the sample data (the :seed command); nil when the console
	// runs against an external cluster.
	Seed SeedFunc
	// SeedAtStart loads the sample data when the program starts.
	SeedAtStart bool
	// Clipboard puts text on the user's clipboard (OSC 52 through the
	// terminal, see ui/clipboard); nil in tests, where LastCopy tells.
	Clipboard func(text string) error
	// Refresh is the live refresh interval (500ms, 1s or 5s); 0 means 1s.
	Refresh time.Duration
	// Suspendable: ctrl+z suspends the console (a job-control shell
	// started it and resumes it on fg, see ui/jobctl); otherwise ctrl+z
	// says why it does not.
	Suspendable bool
}

// Model is the root model.
type Model struct {
	common   common.Common
	renderer *lipgloss.Renderer
	feed     *feed.Feed

	panes    []common.Pane
	faults   []*paneFault // a caught panic per pane, nil while it works
	builders []paneBuilder
	keyOver  map[string][]string
	journal  *journal.Journal
	// backendAudited: pane writes are audited by the backend wrapper, so
	// their status messages are not audited again.
	backendAudited bool
	active         int
	width          int
	height         int

	view      *client.ClusterView
	connState string
	connErr   error
	// connLogged is the connection error last written to the message log:
	// each distinct one is logged once, not on every retry.
	connLogged string
	// everConnected: a connection attempt succeeded once. Until then a
	// failed attempt leaves the state "connecting" (first contact), never
	// "reconnecting", which would claim the console was connected before.
	everConnected bool
	connAttempts  int             // failed attempts before the first connection
	reachable     map[string]bool // node status poll answers
	reach         reach
	ticks         int
	lastTick      time.Time // the previous tick's time (suspension.go)
	seedsOnly     bool
	lastErr       error
	lastOp        string
	lastOpTime    time.Duration

	log         *msglog.Log
	status      *msglog.Entry // the status line's message, nil when none
	statusTicks int           // ticks since an info status was set; it fades after infoFor
	logView     logView
	logKeys     key.Binding
	seed        SeedFunc
	seedAtStart bool
	seeding     *seedState
	// progress holds the step each running multi-step operation is at
	// ("restart node n2" -> "stopping…"), shown while no message is.
	progress map[string]string
	// storageFailing: the nodes whose last answer said they cannot write
	// their Raft log (the status line says when that starts and ends).
	storageFailing map[string]bool
	// seedFindings: what was said about each --nodes address the view
	// lacks ("" when nothing), so each is said once.
	seedFindings map[string]string

	palette   palette.Model
	help      helpModel
	filtering bool
	filter    common.Input
	tabs      []tabPos // tab bar hit boxes

	clipboard func(string) error
	lastCopy  string
	history   []int // panes esc returns to, the most recent last
	errShown  bool  // an error was in the status line when the key came

	paused  bool
	held    []tea.Msg // live updates collected while paused, in order
	dropped int       // held updates dropped past maxHeld
	refresh time.Duration
	// suspendable: see Options.Suspendable.
	suspendable bool
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
	audited := false
	if b := c.Backend(); b != nil && opts.Journal != nil {
		// Every write a pane makes goes through the backend: record it there,
		// with its key, versions and idempotency key.
		c.Data, audited = audit.Wrap(b, opts.Journal), true
	}
	m := &Model{
		common: c, backendAudited: audited, renderer: opts.Renderer, feed: opts.Feed, journal: opts.Journal,
		builders: paneBuilders(), keyOver: opts.KeyOverrides, seed: opts.Seed, seedAtStart: opts.SeedAtStart,
		connState: StateConnecting, reachable: map[string]bool{},
		palette: palette.New(c.Styles), help: newHelp(c.Styles), filter: newFilter(c.Styles),
		log: msglog.New(msglog.Capacity), logKeys: logBinding(), clipboard: opts.Clipboard,
		refresh: feed.Tick, suspendable: opts.Suspendable,
	}
	if opts.Refresh != 0 {
		if _, err := ParseRefresh(opts.Refresh.String()); err != nil {
			return nil, err
		}
		m.refresh = opts.Refresh
	}
	scopes := map[string]keybindings.Named{"": c.Keys}
	for _, b := range m.builders {
		p, km := b.build(c)
		m.panes = append(m.panes, p)
		scopes[b.scope] = km
	}
	if err := keybindings.Rebind(scopes, opts.KeyOverrides); err != nil {
		return nil, err
	}
	m.faults = make([]*paneFault, len(m.panes))
	if opts.Notice != "" {
		lvl := levelInfo
		if opts.NoticeIsError {
			lvl = levelError
		}
		m.note(lvl, opts.Notice, 0, false)
	}
	return m, nil
}

// paneBuilder makes one pane with its key map, so a pane that failed can be
// replaced by a fresh one.
type paneBuilder struct {
	scope string
	build func(common.Common) (common.Pane, keybindings.Named)
}

func paneBuilders() []paneBuilder {
	return []paneBuilder{
		{"cluster", func(c common.Common) (common.Pane, keybindings.Named) { p := cluster.New(c); return p, p.Keys() }},
		{"events", func(c common.Common) (common.Pane, keybindings.Named) { p := events.New(c); return p, p.Keys() }},
		{"stats", func(c common.Common) (common.Pane, keybindings.Named) { p := stats.New(c); return p, p.Keys() }},
		{"trace", func(c common.Common) (common.Pane, keybindings.Named) { p := trace.New(c); return p, p.Keys() }},
		{"keys", func(c common.Common) (common.Pane, keybindings.Named) { p := keys.New(c); return p, p.Keys() }},
		{"vectors", func(c common.Common) (common.Pane, keybindings.Named) { p := vectors.New(c); return p, p.Keys() }},
		{"ttl", func(c common.Common) (common.Pane, keybindings.Named) { p := ttl.New(c); return p, p.Keys() }},
	}
}

// build makes a fresh pane i with the user's key overrides for its scope.
func (m *Model) build(i int) (common.Pane, error) {
	b := m.builders[i]
	p, km := b.build(m.common)
	own := map[string][]string{}
	for name, ks := range m.keyOver {
		if strings.HasPrefix(name, b.scope+".") {
			own[name] = ks
		}
	}
	if err := keybindings.Rebind(map[string]keybindings.Named{b.scope: km}, own); err != nil {
		return nil, err
	}
	return p, nil
}

// Active returns the active pane.
func (m *Model) Active() common.Pane { return m.panes[m.active] }

// Panes returns the panes in tab order.
func (m *Model) Panes() []common.Pane { return m.panes }

// ConnState returns the connection state shown in the header.
func (m *Model) ConnState() string { return m.connState }

// ClusterView returns the latest view the console shows.
func (m *Model) ClusterView() *client.ClusterView { return m.view }

// PaletteStage returns "" when the palette is closed, else its stage.
func (m *Model) PaletteStage() string { return m.palette.Stage() }

// PaletteMatches returns the commands the palette lists.
func (m *Model) PaletteMatches() []string { return m.palette.Matches() }

// HelpOpen reports whether the help overlay is shown.
func (m *Model) HelpOpen() bool { return m.help.open }

// Filtering reports whether the filter input has focus.
func (m *Model) Filtering() bool { return m.filtering }

// newFilter returns the root's / field, coloured from the shared styles at
// every View (a theme switch reaches it).
func newFilter(st *themes.Styles) common.Input {
	in := common.NewField("/", "filter")
	in.SetStyles(st)
	return in
}
