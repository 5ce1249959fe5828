package vectors

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// Init implements common.Pane: the first index list.
func (m *Model) Init() tea.Cmd { return m.refresh() }

// Update implements common.Pane. Data messages arrive whether or not the pane
// is shown; keys and mouse only when it is active.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.layout() // View only draws: the results page and scroll are fixed here
	return cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.DataChangedMsg:
		return m.refresh()
	case common.TopologyMsg:
		m.down = downNodes(msg.View)
		if msg.Event != nil && msg.Event.Replaced {
			return m.onClusterReplaced()
		}
	case common.TickMsg:
		m.now = msg.At
		if m.ticks++; m.ticks%refreshEvery == 0 && !m.unsupported {
			return m.refresh()
		}
	case listMsg:
		m.onList(msg)
	case searchMsg:
		m.onSearch(msg)
	case common.NodeStatusMsg:
		return m.rerunUnansweredSearch(msg)
	case opDoneMsg:
		m.answered(msg.res.Op)
		switch {
		case msg.res.Err != nil:
		case msg.selectNS != "":
			m.selectNamespace(msg.selectNS)
		case msg.dropped != "" && m.selected() == msg.dropped:
			m.selectNamespace("") // the next listing selects the first index
		}
		return tea.Batch(common.MsgCmd(msg.res), m.refresh())
	case tea.KeyMsg:
		if msg.Paste && m.focus == fieldNone {
			// A paste is a query (a vector copied from elsewhere), never
			// a string of pane shortcuts.
			cmd := m.focusField(fieldQuery)
			return tea.Batch(cmd, m.onTypingKey(msg))
		}
		if m.focus != fieldNone {
			return m.onTypingKey(msg)
		}
		return m.onKey(msg)
	case tea.MouseMsg:
		m.onMouse(msg)
	}
	return nil
}

// onClusterReplaced forgets the searches of a cluster that is gone (the
// addresses now answer for one restarted without its data): their results
// and latencies describe indexes that no longer exist. Replies still in
// flight are dropped, and the index list is read again now.
func (m *Model) onClusterReplaced() tea.Cmd {
	m.searchReq++
	m.searching, m.result, m.scroll = false, nil, 0
	m.hist = map[string]*history{}
	m.listing = false // a listing in flight asked the old cluster
	m.indexes, m.unlisted = nil, nil
	return m.refresh()
}

// refresh asks for the index list unless a request is in flight.
func (m *Model) refresh() tea.Cmd {
	if m.common.Backend() == nil || m.listing {
		return nil
	}
	m.listing = true
	m.listReq++
	return listCmd(m.common, m.listReq)
}

func (m *Model) onList(msg listMsg) {
	if msg.reqID != m.listReq {
		return
	}
	m.listing = false
	m.listedAt = msg.at
	if m.now.Before(msg.at) {
		m.now = msg.at
	}
	if msg.err != nil {
		m.listErr = msg.err
		m.unsupported = errors.Is(msg.err, client.ErrUnsupported)
		return
	}
	sel := m.Namespace()
	m.listOKAt = msg.at
	m.indexes, m.listErr, m.unsupported = m.keepUnlisted(msg.indexes), nil, false
	if _, listed := m.index(sel); sel == "" || (!listed && !m.typedNS) {
		// Nothing chosen, or a picked index that is gone: take the first.
		first := ""
		if len(m.indexes) > 0 {
			first = m.indexes[0].Namespace
		}
		m.selectNamespace(first)
		return
	}
	m.syncCursor(sel) // leave the field alone: it may be being edited
}

// keepUnlisted returns listed plus the indexes shown before that it lacks
// while a node is down: a node that does not answer (or a leader that moved
// mid-listing) leaves its indexes out of the listing, and the list read
// "0 indexes" with the leader of the only one SIGSTOPped. With every node
// up, the listing is whole and an index it lacks is gone.
func (m *Model) keepUnlisted(listed []client.VectorIndexInfo) []client.VectorIndexInfo {
	m.unlisted = nil
	if len(m.down) == 0 {
		return listed
	}
	have := make(map[string]bool, len(listed))
	for _, ix := range listed {
		have[ix.Namespace] = true
	}
	out := listed
	for _, ix := range m.indexes {
		if !have[ix.Namespace] {
			if m.unlisted == nil {
				m.unlisted = map[string]bool{}
			}
			m.unlisted[ix.Namespace] = true
			out = append(out, ix)
		}
	}
	if m.unlisted != nil {
		out = append([]client.VectorIndexInfo(nil), out...)
		sort.Slice(out, func(i, j int) bool { return out[i].Namespace < out[j].Namespace })
	}
	return out
}

// downNodes names v's nodes that are not alive or that the console cannot reach.
func downNodes(v *client.ClusterView) []string {
	if v == nil {
		return nil
	}
	var out []string
	for _, n := range v.Nodes {
		if n.Role != "alive" || n.Unreachable {
			out = append(out, n.ID)
		}
	}
	return out
}

// selectNamespace points the form at ns, and the list cursor at its row
// when it is listed.
func (m *Model) selectNamespace(ns string) {
	m.typedNS = false
	m.inputs[fieldNS].SetValue(ns)
	m.syncCursor(ns)
}

// syncCursor moves the list cursor to ns's row when it is listed.
func (m *Model) syncCursor(ns string) {
	for i, ix := range m.visible() {
		if ix.Namespace == ns {
			m.cursor = i
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.visible())-1))
}

func (m *Model) onSearch(msg searchMsg) {
	if msg.reqID != m.searchReq {
		return
	}
	m.searching = false
	if m.now.Before(msg.at) {
		m.now = msg.at
	}
	if msg.res != nil && !msg.stalled {
		h := m.hist[msg.req.namespace]
		if h == nil {
			h = &history{}
			m.hist[msg.req.namespace] = h
		}
		h.add(sample{rtt: msg.rtt, server: micros(msg.res.SearchTimeUs)})
	}
	m.result, m.scroll = &msg, 0
}

// rerunUnansweredSearch runs the last search again, as it was sent, once a
// node answers its status poll after the search got no answer (no node
// reached, no leader, a timeout): found in tmux with the cluster killed
// and started again under the console, whose header read "connected"
// above the dial error of the search made meanwhile. A search that was
// answered (a bad query, a missing index) is not repeated; at most one
// rerun every common.UnansweredRetryEvery.
func (m *Model) rerunUnansweredSearch(msg common.NodeStatusMsg) tea.Cmd {
	r := m.result
	if r == nil || m.searching || m.common.Backend() == nil || !m.retry.Due(msg, r.err, m.now) {
		return nil
	}
	m.searchReq++
	m.searching = true
	return searchCmd(m.common, m.searchReq, r.req, r.kind)
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	g, k := m.common.Keys, m.keys
	switch {
	case key.Matches(msg, g.Up):
		m.moveCursor(-1)
	case key.Matches(msg, g.Down):
		m.moveCursor(1)
	case key.Matches(msg, g.Home):
		m.moveCursor(-len(m.indexes))
	case key.Matches(msg, g.End):
		m.moveCursor(len(m.indexes))
	case key.Matches(msg, g.PageDown):
		m.scroll += max(1, m.resultRows-1)
	case key.Matches(msg, g.PageUp):
		m.scroll = max(0, m.scroll-max(1, m.resultRows-1))
	case key.Matches(msg, k.Edit):
		return m.focusField(fieldQuery)
	case key.Matches(msg, k.Namespace):
		return m.focusField(fieldNS)
	case key.Matches(msg, k.Search):
		return m.search(plainSearch, "")
	case key.Matches(msg, k.Random):
		return m.randomSearch()
	case key.Matches(msg, k.Mode):
		m.toggleMode()
	case key.Matches(msg, k.Consistency):
		m.consistency = (m.consistency + 1) % len(consistencies)
	case key.Matches(msg, k.Vectors):
		m.vectors = !m.vectors
	case key.Matches(msg, k.Exact):
		m.exact = !m.exact
	case key.Matches(msg, k.Recall):
		return m.search(recallCheck, "")
	case key.Matches(msg, k.Sweep):
		return m.search(efSweep, "")
	case key.Matches(msg, k.Refresh):
		return m.refresh()
	case key.Matches(msg, k.Similar):
		return m.runAction(m.similarAction())
	case key.Matches(msg, k.Insert):
		return m.runWrite(m.insertAction())
	case key.Matches(msg, k.Import):
		return m.runWrite(m.importAction())
	case key.Matches(msg, k.Delete):
		return m.runWrite(m.deleteAction())
	case key.Matches(msg, k.Create):
		return m.runWrite(m.createAction())
	case key.Matches(msg, k.Drop):
		return m.runWrite(m.dropAction())
	}
	return nil
}

// onTypingKey handles keys while a form field has focus: enter searches,
// tab moves between fields, esc stops typing, the rest edits the field.
func (m *Model) onTypingKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Leave):
		m.blur()
		return nil
	case key.Matches(msg, k.Run):
		if m.focus == fieldNS {
			m.selectNamespace(strings.TrimSpace(m.Namespace()))
		}
		return m.search(plainSearch, "")
	case key.Matches(msg, k.NextField):
		return m.focusField((m.focus + 1) % numFields)
	case key.Matches(msg, k.PrevField):
		return m.focusField((m.focus + numFields - 1) % numFields)
	}
	in := m.input(m.focus)
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	if m.focus == fieldNS {
		m.typedNS = true
		m.syncCursor(m.Namespace())
	}
	return cmd
}

func (m *Model) focusField(f int) tea.Cmd {
	m.blur()
	m.focus = f
	return m.input(f).Focus()
}

func (m *Model) blur() {
	for i := range m.inputs {
		m.inputs[i].Blur()
	}
	m.idInput.Blur()
	m.focus = fieldNone
}

func (m *Model) toggleMode() {
	focused := m.focus == fieldQuery
	if focused {
		m.queryInput().Blur()
	}
	m.mode = 1 - m.mode
	if focused {
		m.queryInput().Focus()
	}
}

func (m *Model) moveCursor(delta int) {
	vis := m.visible()
	if len(vis) == 0 {
		return
	}
	m.cursor = max(0, min(len(vis)-1, m.cursor+delta))
	m.selectNamespace(vis[m.cursor].Namespace)
}

// visible returns the listed indexes matching the filter.
func (m *Model) visible() []client.VectorIndexInfo {
	if m.filter == "" {
		return m.sorted(m.indexes)
	}
	f := strings.ToLower(m.filter)
	var out []client.VectorIndexInfo
	for _, ix := range m.indexes {
		if strings.Contains(strings.ToLower(ix.Namespace), f) {
			out = append(out, ix)
		}
	}
	return m.sorted(out)
}

// buildRequest reads and checks the form. Errors say what to fix.
func (m *Model) buildRequest() (searchRequest, error) {
	ns := strings.TrimSpace(m.Namespace())
	if ns == "" {
		if m.unsupported {
			return searchRequest{}, errors.New("no namespace: press n and type the index's namespace (this server cannot list them)")
		}
		return searchRequest{}, errors.New("no namespace: pick an index with ↑/↓, or press n to type one, or N to create one")
	}
	req := searchRequest{namespace: ns, consistency: m.Consistency(), vectors: m.vectors, exact: m.exact}
	var err error
	if req.k, err = ParseK(m.inputs[fieldK].Value()); err != nil {
		return req, err
	}
	if req.ef, err = ParseEf(m.inputs[fieldEf].Value()); err != nil {
		return req, err
	}
	if m.mode == modeByID {
		id := strings.TrimSpace(m.idInput.Value())
		if id == "" {
			return req, errors.New("type the id whose stored vector to search with (or press m to type a vector)")
		}
		req.byID, req.desc = id, "the vector of id "+strconv.Quote(id)
		return req, nil
	}
	ix, listed := m.index(ns)
	dims := 0
	if listed {
		dims = ix.Dimensions
	}
	if req.query, err = ParseVector(m.inputs[fieldQuery].Value(), dims); err != nil {
		return req, err
	}
	req.desc = fmt.Sprintf("a typed vector (%d values)", len(req.query))
	return req, nil
}

// search validates the form and starts a search, with a recall check or an
// ef sweep by kind (against an exact scan of the index refNS, or of the
// same index when refNS is "").
func (m *Model) search(kind searchKind, refNS string) tea.Cmd {
	req, err := m.buildRequest()
	m.formErr = err
	if err != nil {
		return nil
	}
	if m.common.Backend() == nil {
		m.formErr = errors.New("not connected yet: wait for the header to say connected")
		return nil
	}
	if kind != plainSearch && refNS != req.namespace {
		req.recallRef = refNS
	}
	m.searchReq++
	m.searching = true
	return searchCmd(m.common, m.searchReq, req, kind)
}

// randomSearch fills the query with random values of the index's
// dimensions and searches with it.
func (m *Model) randomSearch() tea.Cmd {
	ix, ok := m.index(strings.TrimSpace(m.Namespace()))
	if !ok {
		m.formErr = errors.New("a random query needs the index's dimensions: pick a listed index (or type a vector)")
		return nil
	}
	m.inputs[fieldQuery].SetValue(FormatValues(RandomVector(m.rng, ix.Dimensions)))
	m.inputs[fieldQuery].CursorStart() // show the first values, not the last
	m.mode = modeVector
	return m.search(plainSearch, "")
}

// runAction hands a palette action to the root (prompt, confirmation, run),
// or reports why it cannot run now.
func (m *Model) runAction(a common.Action, err error) tea.Cmd {
	if err != nil {
		return common.MsgCmd(common.ErrorMsg{Err: err})
	}
	return common.MsgCmd(common.RunActionMsg{Action: a})
}

// runWrite is runAction for writes: a read-only profile refuses at once
// rather than after the prompt.
func (m *Model) runWrite(a common.Action, err error) tea.Cmd {
	if err == nil {
		if werr := writeCheck(m.common); werr != nil {
			op := strings.ToLower(a.Title)
			return common.MsgCmd(common.OpResultMsg{Op: op, Err: fmt.Errorf("%s: %w", op, werr)})
		}
	}
	return m.runAction(a, err)
}

func (m *Model) onMouse(msg tea.MouseMsg) {
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		m.scroll = max(0, m.scroll-1)
	case msg.Button == tea.MouseButtonWheelDown:
		m.scroll++
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		if i := msg.Y - listTop + m.listFirst(); msg.Y >= listTop && msg.Y < listTop+m.listRows() && i < len(m.visible()) {
			m.cursor = i
			m.selectNamespace(m.visible()[i].Namespace)
		}
	}
}
