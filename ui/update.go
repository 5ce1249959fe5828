package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/feed"
	"github.com/norikv/norikv-console/ui/msglog"
	"github.com/norikv/norikv-console/ui/ops"
	"github.com/norikv/norikv-console/ui/palette"
)

// reconnectDelay is the wait between connection attempts.
const reconnectDelay = 2 * time.Second

// Init starts connecting, the topology feed and the tick.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tickCmd()}
	if c := m.common.Client; c != nil {
		cmds = append(cmds, feed.ConnectCmd(c))
	}
	if m.feed != nil {
		cmds = append(cmds, m.feed.Next())
	}
	for i := range m.panes {
		cmds = append(cmds, m.initPane(i))
	}
	if m.seed != nil && m.seedAtStart {
		cmds = append(cmds, m.startSeed())
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.KeyMsg:
		m.errShown = m.status != nil && m.status.Level == levelError
		m.clearOnAction()
		return m, m.onKey(msg)
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress && msg.Button != tea.MouseButtonWheelUp && msg.Button != tea.MouseButtonWheelDown {
			m.clearOnAction()
		}
		return m, m.onMouse(msg)
	case paneFaultMsg:
		m.fail(msg.pane, msg.fault)
		return m, nil
	case OpenLog:
		m.openLog(msg.WritesOnly)
		return m, nil
	case seedCheckMsg:
		m.onSeedCheck(msg)
		return m, nil
	case seedProgressMsg:
		return m, m.onSeedProgress(msg)
	case seedDoneMsg:
		return m, m.onSeedDone(msg)
	case common.TopologyMsg:
		return m, m.onTopology(msg)
	case common.TickMsg:
		return m, m.onTick(msg)
	case common.ConnectedMsg:
		return m, m.onConnected(msg)
	case common.NodeStatusMsg:
		cmd := m.onNodeStatus(msg)
		return m, tea.Batch(cmd, m.broadcast(msg))
	case pollDueMsg:
		return m, m.reassess(msg.At)
	case common.StatsMsg:
		return m, m.onStats(msg)
	case common.OpResultMsg:
		m.onOpResult(msg, nil)
		return m, nil
	case ops.ProgressMsg:
		m.onProgress(msg)
		return m, msg.Next
	case ops.WriteResult:
		m.onOpResult(msg.OpResultMsg, &msg.Audit)
		if msg.Err != nil {
			return m, nil
		}
		// A put from the palette: lists showing that key read again.
		return m, m.broadcast(common.DataChangedMsg{})
	case common.ErrorMsg:
		m.setError(msg.Err)
		return m, nil
	case common.SwitchPaneMsg:
		for i, p := range m.panes {
			if p.Title() == msg.Title {
				m.switchTo(i)
			}
		}
		return m, nil
	case common.SetThemeMsg:
		m.setTheme(msg.Name)
		return m, nil
	case common.TraceKeyMsg:
		cmd := m.broadcast(msg)
		m.switchTo(m.paneIndex("Trace"))
		return m, cmd
	case common.ShowHelpMsg:
		return m, m.help.show(m.common.Keys, m.Active(), m.logKeys)
	case common.StartFilterMsg:
		return m, m.startFilter()
	case common.RunActionMsg:
		var cmd tea.Cmd
		m.palette, cmd = m.palette.OpenAction(msg.Action)
		return m, cmd
	case palette.ClosedMsg:
		return m, nil
	case rootKeyMsg:
		return m, msg.do(m)
	case copiedMsg:
		m.onCopied(msg)
		return m, nil
	case retryConnectMsg:
		if c := m.common.Client; c != nil {
			return m, feed.ConnectCmd(c)
		}
		return m, nil
	}
	// Anything else (a pane's own async reply) goes to every pane; each
	// drops what is not its own.
	return m, m.broadcast(msg)
}

// broadcast sends a data message to every pane, shown or not.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	if m.paused && isLive(msg) {
		m.hold(msg)
		return nil
	}
	cmds := make([]tea.Cmd, 0, len(m.panes))
	for i := range m.panes {
		cmds = append(cmds, m.updatePane(i, msg))
	}
	return tea.Batch(cmds...)
}

func (m *Model) onTopology(msg common.TopologyMsg) tea.Cmd {
	var next tea.Cmd
	if m.feed != nil && msg.Event != nil {
		next = m.feed.Next() // re-arm the channel reader
	}
	if msg.View == nil {
		return next
	}
	if m.reach.awaitLive && m.view != nil && msg.Event == nil {
		// The client's view, asked for once it received one after every
		// node was lost: the same cluster is back, or (another cluster) its
		// replacement event follows from the feed.
		if !sameCluster(m.view, msg.View) {
			return next
		}
		m.reach.awaitLive, m.reach.liveAt = false, msg.At
		m.clearLost()
		if msg.View.Epoch <= m.view.Epoch {
			return tea.Batch(next, m.reassess(msg.At)) // nodes back, shown now
		}
	}
	// After the replacement's own note (a cluster restarted with another
	// count is usually a new cluster): the status line keeps the count.
	defer m.noteShardCount(msg.Event)
	switch {
	case m.view != nil && msg.Event != nil && msg.Event.Replaced:
		return tea.Batch(next, m.onReplaced(msg))
	case m.view != nil && msg.View.Epoch <= m.view.Epoch:
		return next // already shown (the initial fetch raced the feed)
	case msg.Event != nil && msg.Event.PreviousEpoch == 0 && m.view != nil && m.view.Epoch == 0:
		// A replacing cluster shown at epoch 0, before it had leaders:
		// its next view is news from the one shown, not a first view.
		msg.Event = viewDiff(m.view, msg.View)
	case m.view == nil || (msg.Event != nil && msg.Event.PreviousEpoch == 0):
		msg.Event = nil // the first view: no moves to flash
	case msg.Event == nil:
		// The client's view (asked for after an outage), newer than the
		// one shown: the feed's events for the epochs between will be
		// dropped as shown, so this is the change to report, not a "first
		// view".
		msg.Event = viewDiff(m.view, msg.View)
	}
	if msg.Event != nil && m.reach.awaitLive {
		m.reach.awaitLive, m.reach.liveAt = false, msg.At // a view the cluster just sent
		m.clearLost()
	}
	m.view = msg.View
	m.seedsOnly = false
	msg.View = m.presented(msg.View)
	cmd := m.broadcast(msg)
	if m.connState != StateConnecting {
		down := m.downSet()
		m.noteReachChanges(down, len(m.view.Nodes)-len(down)) // the panes have it already
		m.reach.quietShown = m.quietSet()
	}
	return tea.Batch(next, cmd, m.reassess(msg.At))
}

func (m *Model) onTick(msg common.TickMsg) tea.Cmd {
	m.ticks++
	m.fadeInfo()
	cmds := []tea.Cmd{m.tickCmd()}
	slept := sleptBetween(m.lastTick, msg.At, m.refresh)
	if slept > 0 {
		cmds = append(cmds, m.onSuspended(m.lastTick, msg.At, slept))
	}
	m.lastTick = msg.At
	cmds = append(cmds, m.broadcast(msg))
	c := m.common.Client
	if c == nil || m.connState == StateConnecting {
		return tea.Batch(cmds...)
	}
	cmds = append(cmds, feed.StatsCmd(c))
	// Each node is asked once its last poll came back (a hung node does
	// not hold back the others'); after a suspension every node at once
	// (polls sent before it may still be awaited: their answers say
	// nothing of now). Found in tmux with two of three serve processes
	// SIGSTOPped: the header said "3/3 alive" until their polls failed,
	// up to 2 s to the next poll and 1.5 s more to its timeout; now a poll
	// out for unansweredAfter takes the node out of the alive count, on
	// the timer below or the next tick, whichever comes first.
	if m.view != nil {
		if ids := m.pollNodes(msg.At, slept > 0); len(ids) > 0 {
			cmds = append(cmds, m.broadcast(common.PollsSentMsg{At: msg.At, NodeIDs: ids}))
			cmds = append(cmds, feed.PollCmds(c, ids)...)
			cmds = append(cmds, tea.Tick(unansweredAfter, func(time.Time) tea.Msg { return pollDueMsg{At: time.Now()} }))
		}
		cmds = append(cmds, m.reassess(msg.At))
	}
	if m.ticks%seedCheckEvery == 0 && m.view != nil && !m.paused {
		cmds = append(cmds, m.seedCheckCmds(c)...)
	}
	return tea.Batch(cmds...)
}

func (m *Model) onConnected(msg common.ConnectedMsg) tea.Cmd {
	c := m.common.Client
	if msg.Err != nil {
		m.connState, m.connErr = StateReconnecting, msg.Err
		if !m.everConnected {
			m.connState = StateConnecting
			m.connAttempts++
		}
		m.logConnError(msg.Err)
		return tea.Tick(reconnectDelay, func(time.Time) tea.Msg { return retryConnectMsg{} })
	}
	m.connState, m.connErr, m.connLogged = StateConnected, nil, ""
	m.everConnected, m.connAttempts = true, 0
	// The client's unreachable flags so far come from the failed attempts
	// (nodes still starting): the status polls judge them from now.
	m.reach.staleNext = true
	return tea.Batch(feed.ViewCmd(c), feed.StatsCmd(c))
}

// paneCapturing says whether the active pane has a text field focused.
func (m *Model) paneCapturing() bool {
	ic, ok := m.Active().(common.InputCapturer)
	return ok && m.faults[m.active] == nil && ic.CapturingInput()
}

// onKeyBurst handles runes that Bubble Tea v1 read in one go and reports as
// one KeyMsg ("jjj"): no binding matches that, so on a loaded machine or a
// slow SSH link every key typed quickly was lost. Outside a text field each
// rune is a key of its own, in order; a key that opens a field (/, :, a)
// sends the rest into it. Text fields above get the burst whole (a pasted
// vector is inserted at once).
func (m *Model) onKeyBurst(msg tea.KeyMsg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(msg.Runes))
	for _, r := range msg.Runes {
		cmds = append(cmds, m.onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
	}
	return tea.Batch(cmds...)
}

// logConnError puts a failed connection attempt in the message log (the
// status line shows it cut to its width, pointing to the log for the full
// text), once per distinct error rather than on every retry.
func (m *Model) logConnError(err error) {
	text := err.Error() + " — retrying every 2s; check the node addresses"
	// The text changes from one attempt to the next (the nodes' order,
	// local port numbers): a new entry only when the reason changes.
	reason := connReason(err)
	if reason == m.connLogged {
		return
	}
	m.connLogged = reason
	m.log.Add(msglog.Entry{At: time.Now(), Level: levelError, Text: text})
	m.journal.Logf("error: %s", text)
}

// retryConnectMsg starts another connection attempt.
type retryConnectMsg struct{}

// pollDueMsg comes unansweredAfter after status polls were sent: a node
// whose poll is still out is then shown not answering.
type pollDueMsg struct{ At time.Time }

func (m *Model) onNodeStatus(msg common.NodeStatusMsg) tea.Cmd {
	m.pollAnswered(msg)
	if msg.Err != nil && msg.RTT > stretchedPoll {
		// Its deadline passed while the console did not run (see
		// stretchedPoll): no word on the node; the next poll decides.
		return nil
	}
	m.reachable[msg.NodeID] = feed.Reachable(msg)
	if m.reach.answered == nil {
		m.reach.answered = map[string]time.Time{}
	}
	if feed.Reachable(msg) {
		m.reach.answered[msg.NodeID] = msg.At
		delete(m.reach.pollErrs, msg.NodeID)
	} else if msg.Err != nil {
		if m.reach.pollErrs == nil {
			m.reach.pollErrs = map[string]string{}
		}
		m.reach.pollErrs[msg.NodeID] = connReason(msg.Err)
		if msg.At.After(m.reach.pollFailAt) {
			m.reach.pollFailAt = msg.At
		}
	}
	if m.reach.holding == nil {
		m.reach.holding = map[string]bool{}
	}
	m.reach.holding[msg.NodeID] = feed.Reachable(msg) && common.VoteHoldOf(msg.Status).Held()
	m.noteStorage(msg)
	if m.reach.epochs == nil {
		m.reach.epochs = map[string]uint64{}
	}
	if msg.Err == nil && msg.Status != nil {
		m.reach.epochs[msg.NodeID] = msg.Status.Epoch
	}
	return m.reassess(msg.At)
}

// noteStorage says in the status line (and the message log) when a node's
// answer starts saying it cannot write its Raft log (a full disk) and when
// it can again, once each; a failed poll says nothing either way.
func (m *Model) noteStorage(msg common.NodeStatusMsg) {
	if msg.Err != nil || msg.Status == nil {
		return
	}
	if m.storageFailing == nil {
		m.storageFailing = map[string]bool{}
	}
	s := common.StorageOf(msg.Status)
	switch was := m.storageFailing[msg.NodeID]; {
	case s.Failing() && !was:
		m.note(levelWarn, fmt.Sprintf("%s: %s: it leads no group until it can write (free space on its disk; the Cluster pane shows where writes go)", msg.NodeID, s.Reason()), 0, false)
	case !s.Failing() && was:
		m.setInfo(msg.NodeID + " storage writable again")
	}
	m.storageFailing[msg.NodeID] = s.Failing()
}

func (m *Model) setTheme(name string) {
	t, err := themes.ByName(name)
	if err != nil {
		m.setError(err)
		return
	}
	r := m.renderer
	if r == nil {
		m.setError(fmt.Errorf("theme %s: no renderer to draw it with", t.Name))
		return
	}
	*m.common.Styles = *themes.NewStyles(t, r)
	// The panes draw from the shared value, rewritten in place above; they
	// are told anyway so components that keep their own copy restyle.
	for _, p := range m.panes {
		if s, ok := p.(common.Styler); ok {
			s.SetStyles(m.common.Styles)
		}
	}
	m.setInfo("theme: " + t.Name)
}

func (m *Model) paneIndex(title string) int {
	for i, p := range m.panes {
		if p.Title() == title {
			return i
		}
	}
	return m.active
}

func (m *Model) switchTo(i int) {
	if i < 0 || i >= len(m.panes) || i == m.active {
		return
	}
	m.stopFilter(false)
	m.pushHistory(m.active)
	m.active = i
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	g := m.common.Keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if msg.String() == "ctrl+z" { // as a terminal's SIGTSTP, in text fields too
		return m.suspend()
	}
	if m.palette.Active() {
		var cmd tea.Cmd
		m.palette, cmd = m.palette.Update(msg)
		return cmd
	}
	if m.help.open {
		return m.help.update(msg)
	}
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.filtering && !m.paneCapturing() {
		return m.onKeyBurst(msg)
	}
	if m.logView.open {
		return m.updateLog(msg)
	}
	if m.filtering {
		return m.updateFilter(msg)
	}
	if m.faults[m.active] != nil && msg.String() == "r" {
		return m.restartPane(m.active)
	}
	if m.paneCapturing() {
		return m.updatePane(m.active, msg)
	}
	switch {
	case key.Matches(msg, g.Quit):
		return tea.Quit
	case key.Matches(msg, m.logKeys):
		m.openLog(false)
		return nil
	case key.Matches(msg, g.Help):
		return m.help.show(g, m.Active(), m.logKeys)
	case key.Matches(msg, g.Palette):
		var cmd tea.Cmd
		m.palette, cmd = m.palette.Open(m.actions())
		return cmd
	case key.Matches(msg, g.Filter):
		return m.startFilter()
	case key.Matches(msg, g.NextTab):
		m.switchTo((m.active + 1) % len(m.panes))
		return nil
	case key.Matches(msg, g.PrevTab):
		m.switchTo((m.active + len(m.panes) - 1) % len(m.panes))
		return nil
	case key.Matches(msg, g.GotoTab):
		if n := int(msg.String()[0] - '1'); len(msg.String()) == 1 && n < len(m.panes) {
			m.switchTo(n)
		}
		return nil
	case key.Matches(msg, g.Pause):
		return m.togglePause()
	case key.Matches(msg, g.Copy):
		return m.copySelection(false)
	case key.Matches(msg, g.CopyTable):
		return m.copySelection(true)
	case key.Matches(msg, g.Sort):
		m.sortActive(false)
		return nil
	case key.Matches(msg, g.SortReverse):
		m.sortActive(true)
		return nil
	case key.Matches(msg, g.Back):
		if b, ok := m.Active().(common.BackHandler); ok && m.faults[m.active] == nil {
			if used, cmd := b.Back(); used {
				return cmd
			}
		}
		switch {
		case m.filter.Value() != "":
			m.stopFilter(false)
		case m.errShown:
			// The key closed the error shown (clearOnAction): that was
			// something to close.
		default:
			// Nothing to close: back to the previous pane.
			m.status = nil
			m.goBack()
		}
		return nil
	}
	return m.updatePane(m.active, msg)
}

func (m *Model) startFilter() tea.Cmd {
	if _, ok := m.Active().(common.Filterable); !ok {
		m.setError(fmt.Errorf("the %s pane has no list to filter", m.Active().Title()))
		return nil
	}
	m.filtering = true
	return m.filter.Focus()
}

// stopFilter closes the filter input; keep leaves the filter applied.
func (m *Model) stopFilter(keep bool) {
	m.filtering = false
	m.filter.Blur()
	if keep {
		return
	}
	m.filter.SetValue("")
	if f, ok := m.Active().(common.Filterable); ok {
		f.SetFilter("")
	}
}

func (m *Model) updateFilter(msg tea.KeyMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.stopFilter(false)
		return nil
	case "enter":
		m.stopFilter(true)
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if f, ok := m.Active().(common.Filterable); ok {
		f.SetFilter(strings.TrimSpace(m.filter.Value()))
	}
	return cmd
}

func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	if m.palette.Active() || m.help.open || m.logView.open {
		return nil
	}
	top := m.paneTop()
	if msg.Y == top-1 && msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress {
		for i, t := range m.tabs {
			if msg.X >= t.from && msg.X < t.to {
				m.switchTo(i)
			}
		}
		return nil
	}
	if msg.Y >= top && msg.Y < top+m.paneHeight() {
		msg.Y -= top
		return m.updatePane(m.active, msg)
	}
	return nil
}
