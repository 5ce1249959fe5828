package keys

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// Init implements common.Pane. The first scan waits for the first cluster
// view: before it the client has no leaders to ask.
func (m *Model) Init() tea.Cmd { return nil }

// Update implements common.Pane. Data messages arrive whether or not the
// pane is shown; keys and mouse only when it is active.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.layout() // View only draws: scroll offsets and clicks are fixed here
	if follow := m.follow(); follow != nil {
		cmd = tea.Batch(cmd, follow)
	}
	return cmd
}

// layout keeps the list cursor's row and the detail's scroll on screen and
// renders the detail value's lines for the current width.
func (m *Model) layout() {
	if m.tree.on {
		m.layoutTree()
	}
	if e := m.edit; e != nil && e.comparing() && e.merge == nil {
		e.scroll = max(0, min(e.scroll, m.compareRows()-(m.height-editorChrome-2)))
	}
	rows := m.listRows()
	m.top = max(0, min(m.top, m.cursor))
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	d := m.detail
	if d == nil || d.res == nil {
		return
	}
	m.layoutValue()
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.TopologyMsg:
		m.advance(msg.At)
		if msg.View != nil && msg.Event != nil && msg.Event.Replaced && m.common.Backend() != nil {
			return m.onClusterReplaced()
		}
		if msg.View != nil && !m.loading && (!m.loaded || m.listErr != nil) {
			return m.scan(m.pages[len(m.pages)-1])
		}
	case common.TickMsg:
		m.advance(msg.At)
		return m.onTick()
	case common.NodeStatusMsg:
		m.onNodeStatus(msg)
		return tea.Batch(m.rescanIfKeysAppeared(), m.rereadUnansweredDetail(msg))
	case pageMsg:
		m.onPage(msg)
		return m.rereadOutdatedDetail()
	case theirsMsg:
		m.onTheirs(msg)
	case treeMsg:
		m.onTree(msg)
	case treeToggleMsg:
		return m.toggleTree()
	case treeDelimMsg:
		return m.SetTreeDelimiter(msg.delim)
	case detailMsg:
		return m.onDetail(msg)
	case writeMsg:
		return m.onWrite(msg)
	case openKeyMsg:
		return m.open(msg.key, msg.edit)
	case newKeyMsg:
		return m.openForm()
	case pageMoveMsg:
		return m.movePage(msg.delta)
	case common.DataChangedMsg:
		if m.loaded && !m.loading && m.common.Backend() != nil {
			return m.movePage(0) // the page shown, read again
		}
	case viewerMsg:
		return m.onViewerMsg(msg)
	case staleMsg:
		return m.toggleStale()
	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		return m.onMouse(msg)
	}
	return nil
}

// Back implements common.BackHandler: esc closes the detail view.
func (m *Model) Back() (bool, tea.Cmd) {
	if m.mode != modeDetail {
		return false, nil
	}
	m.mode = modeList
	return true, nil
}

// advance moves the pane's clock forward (TTLs count down from it).
func (m *Model) advance(t time.Time) {
	if t.After(m.now) {
		m.now = t
	}
}

func (m *Model) onTick() tea.Cmd {
	if m.loading || m.common.Backend() == nil {
		return nil
	}
	if m.scanPending {
		m.scanPending = false
		m.pages, m.offsets = [][]byte{nil}, []int{0}
		if m.tree.on {
			return tea.Batch(m.scan(nil), m.scanTree())
		}
		return m.scan(nil)
	}
	// Keys whose TTL ran out since the page was read leave the list.
	for _, e := range m.entries {
		if !e.ExpiresAt.IsZero() && e.ExpiresAt.After(m.scannedAt) && !e.ExpiresAt.After(m.now) {
			return m.scan(m.pages[len(m.pages)-1])
		}
	}
	return nil
}

// onClusterReplaced reads everything shown again from the first page: the
// cluster behind the addresses restarted without its data (or is another
// one), so the page cursors and the open key's value are of a cluster that
// is gone. An editor stays open: its save is a compare-and-swap, refused.
func (m *Model) onClusterReplaced() tea.Cmd {
	m.pages, m.offsets = [][]byte{nil}, []int{0}
	m.cursor, m.top = 0, 0
	m.groupKeys, m.countedBy = nil, nil // the old cluster's groups: the new one's leaders report theirs
	cmds := []tea.Cmd{m.scan(nil)}
	if m.tree.on {
		cmds = append(cmds, m.scanTree())
	}
	if m.detail != nil && m.mode != modeEdit && m.mode != modeNew {
		cmds = append(cmds, m.readDetail())
	}
	return tea.Batch(cmds...)
}

// scan asks for the page starting after cursor.
func (m *Model) scan(cursor []byte) tea.Cmd {
	if m.common.Backend() == nil {
		return nil
	}
	m.listReq++
	m.loading = true
	m.scanPending = false
	m.scanCount, m.scanCountOK = m.clusterKeys()
	return scanCmd(m.common, m.listReq, []byte(m.prefix), cursor, m.pageSize, m.level())
}

func (m *Model) onPage(msg pageMsg) {
	if msg.reqID != m.listReq {
		return
	}
	m.advance(msg.at)
	m.loading = false
	if msg.err != nil {
		m.listErr = msg.err
		return
	}
	sel := m.Selected()
	m.listErr, m.loaded = nil, true
	m.entries, m.next, m.done = msg.res.Entries, msg.res.NextCursor, msg.res.Done
	if m.sort.Column != "" {
		m.sortEntries()
	}
	m.scannedAt, m.scanTook = msg.at, msg.latency
	m.cursor = 0
	m.selectKey(sel)
	if land := m.land; land != nil {
		m.land = nil
		if !m.selectKey(land) {
			m.noteNotListed(land)
		}
	}
	m.clampCursor()
}

// noteNotListed says on the detail of k, a key the cursor was to go to,
// why the list's cursor is on another key: k is not on the page shown.
func (m *Model) noteNotListed(k []byte) {
	d := m.detail
	if d == nil || !bytes.Equal(d.key, k) {
		return
	}
	why := "it is not on the page shown"
	if m.prefix != "" && !bytes.HasPrefix(k, []byte(m.prefix)) {
		why = "it does not start with the filter " + strconv.Quote(m.prefix)
	}
	d.note = strings.TrimPrefix(d.note+" · ", " · ") + "not under the list's cursor: " + why
}

// visible returns the loaded keys matching the prefix (they all do once the
// scan for the prefix has answered).
func (m *Model) visible() []client.KeyEntry {
	if m.prefix == "" || !m.scanPending {
		return m.entries
	}
	var out []client.KeyEntry
	for _, e := range m.entries {
		if bytes.HasPrefix(e.Key, []byte(m.prefix)) {
			out = append(out, e)
		}
	}
	return out
}

func (m *Model) clampCursor() {
	m.cursor = max(0, min(m.cursor, len(m.visible())-1))
}

// movePage refreshes the page shown (0) or moves to the next (+1) or
// previous (-1) one.
func (m *Model) movePage(delta int) tea.Cmd {
	switch {
	case delta > 0:
		if m.done || len(m.next) == 0 {
			return common.MsgCmd(common.ErrorMsg{Err: errors.New("this is the last page of keys")})
		}
		m.pages = append(m.pages, m.next)
		m.offsets = append(m.offsets, m.offsets[len(m.offsets)-1]+len(m.entries))
		m.cursor, m.top = 0, 0
	case delta < 0:
		if len(m.pages) < 2 {
			return common.MsgCmd(common.ErrorMsg{Err: errors.New("this is the first page of keys")})
		}
		m.pages, m.offsets = m.pages[:len(m.pages)-1], m.offsets[:len(m.offsets)-1]
		m.cursor, m.top = 0, 0
	case m.tree.on: // a refresh: the tree too
		return tea.Batch(m.scan(m.pages[len(m.pages)-1]), m.scanTree())
	}
	return m.scan(m.pages[len(m.pages)-1])
}

func (m *Model) toggleStale() tea.Cmd {
	m.staleOK = !m.staleOK
	return m.scan(m.pages[len(m.pages)-1])
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	switch m.mode {
	case modeEdit:
		return m.onEditKey(msg)
	case modeNew:
		return m.onFormKey(msg)
	case modeDetail:
		return m.onDetailKey(msg)
	}
	if m.tree.on {
		if cmd, ok := m.onTreeKey(msg); ok {
			return cmd
		}
	}
	g, k := m.common.Keys, m.keys
	n := len(m.visible())
	page := max(1, m.listRows())
	if pos, ok := g.Move(msg, m.cursor, page, n); ok {
		m.cursor = pos
		m.clampCursor()
		return nil
	}
	if cmd, ok := m.refuseWrite(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Open):
		return m.openSelected(false)
	case key.Matches(msg, k.Edit):
		return m.openSelected(true)
	case key.Matches(msg, k.Add):
		return m.openForm()
	case key.Matches(msg, k.TTL):
		return m.runOnSelected(m.ttlAction)
	case key.Matches(msg, k.Delete):
		return m.runOnSelected(m.deleteAction)
	case key.Matches(msg, k.Refresh):
		return m.movePage(0)
	case key.Matches(msg, k.NextPage):
		return m.movePage(1)
	case key.Matches(msg, k.PrevPage):
		return m.movePage(-1)
	case key.Matches(msg, k.Stale):
		return m.toggleStale()
	case key.Matches(msg, k.Tree):
		return m.toggleTree()
	}
	m.clampCursor()
	return nil
}

// selectedEntry returns the entry under the cursor (of the tree when it
// is shown: none on a prefix).
func (m *Model) selectedEntry() (client.KeyEntry, bool) {
	if m.tree.on {
		if r, ok := m.treeRow(); ok && r.entry != nil {
			return *r.entry, true
		}
		return client.KeyEntry{}, false
	}
	vis := m.visible()
	if m.cursor < 0 || m.cursor >= len(vis) {
		return client.KeyEntry{}, false
	}
	return vis[m.cursor], true
}

// runOnSelected runs a palette action (with its prompt or confirmation)
// for the selected key.
func (m *Model) runOnSelected(build func(target) common.Action) tea.Cmd {
	e, ok := m.selectedEntry()
	if !ok {
		return common.MsgCmd(common.ErrorMsg{Err: m.noSelection()})
	}
	return common.MsgCmd(common.RunActionMsg{Action: build(target{key: e.Key, version: e.Version, expires: e.ExpiresAt})})
}

func (m *Model) openSelected(edit bool) tea.Cmd {
	e, ok := m.selectedEntry()
	if !ok {
		return common.MsgCmd(common.ErrorMsg{Err: m.noSelection()})
	}
	return m.open(e.Key, edit)
}

// noSelection says why no key is selected.
func (m *Model) noSelection() error {
	if m.tree.on && len(m.tree.rows) > 0 {
		return errPrefixSelected
	}
	return errors.New("no key selected: the list is empty")
}

func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	if m.mode == modeList && m.tree.on {
		return m.onTreeMouse(msg)
	}
	if m.mode != modeList {
		if m.mode == modeDetail && m.detail != nil {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				m.detail.scroll = max(0, m.detail.scroll-3)
			case tea.MouseButtonWheelDown:
				m.detail.scroll += 3
			}
		}
		return nil
	}
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		m.cursor--
	case msg.Button == tea.MouseButtonWheelDown:
		m.cursor++
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		row := msg.Y - listHeaderLines + m.top
		if msg.Y >= listHeaderLines && row < len(m.visible()) {
			if row == m.cursor {
				return m.openSelected(false)
			}
			m.cursor = row
		}
	}
	m.clampCursor()
	return nil
}

// errorText renders an error for the pane, with what to do for the usual
// causes.
func errorText(err error) string {
	switch {
	case errors.Is(err, client.ErrUnsupported):
		return fmt.Sprintf("%v: this server has no key listing (the console extension); read keys with the palette's \"Get key\"", err)
	}
	return err.Error()
}

// rereadUnansweredDetail reads the shown key again once a node answers
// (its status poll) after the key's read got no answer (no node reached,
// no leader, a timeout): found in tmux with the cluster killed and
// started again under the console, whose header read "connected" while
// the key's detail kept the dial error of the read made meanwhile until
// the user thought of r. A read that was answered (not found, refused)
// is not repeated; at most one reread every common.UnansweredRetryEvery.
//
// The same goes for a key whose last write had an unknown outcome (found
// in tmux: a delete sent while two of three nodes were stopped left the
// value shown as read before, the key perhaps gone): it is read again to
// show what the write left.
func (m *Model) rereadUnansweredDetail(msg common.NodeStatusMsg) tea.Cmd {
	d := m.detail
	if d == nil || d.loading || (m.mode != modeDetail && !m.wide()) || m.common.Backend() == nil {
		return nil
	}
	err := d.err
	if err == nil {
		err = d.unsettled
	}
	if !d.retry.Due(msg, err, m.now) {
		return nil
	}
	return m.readDetail()
}

// onNodeStatus keeps the key counts of the groups the node leads, and
// which nodes' polls failed (their counts are not current).
func (m *Model) onNodeStatus(msg common.NodeStatusMsg) {
	if msg.Status == nil {
		if msg.Err != nil {
			if m.silent == nil {
				m.silent = map[string]bool{}
			}
			m.silent[msg.NodeID] = true
		}
		return
	}
	delete(m.silent, msg.NodeID)
	if m.groupKeys == nil {
		m.groupKeys, m.countedBy = map[int]uint64{}, map[int]string{}
	}
	for _, g := range msg.Status.Groups {
		if g.State == "leader" {
			m.groupKeys[g.GroupID] = g.Keys
			m.countedBy[g.GroupID] = msg.NodeID
		}
	}
}

// rescanIfKeysAppeared scans the first page again when it came back empty
// and the cluster has counted keys since (written by someone else): the
// list said "no keys yet: press a to put one" under a title counting 31
// keys until the user thought of r. Only for a count that moved since the
// scan began, so expired keys the count still holds do not rescan forever.
func (m *Model) rescanIfKeysAppeared() tea.Cmd {
	n, ok := m.clusterKeys()
	if !ok || n == 0 || !m.loaded || m.loading || m.listErr != nil || m.tree.on || m.prefix != "" ||
		len(m.pages) != 1 || len(m.entries) > 0 || (m.scanCountOK && n == m.scanCount) {
		return nil
	}
	return m.scan(m.pages[0])
}

// clusterKeys sums the groups' key counts (expired keys not yet deleted
// included); ok is false before any report, and while a count comes from a
// node whose status poll has failed since: found in tmux with every node
// killed, the title read "9 keys in the cluster" under a header saying
// none answered (and a total without that group would pass for the whole).
func (m *Model) clusterKeys() (uint64, bool) {
	var n uint64
	for g, k := range m.groupKeys {
		if m.silent[m.countedBy[g]] {
			return 0, false
		}
		n += k
	}
	return n, len(m.groupKeys) > 0
}
