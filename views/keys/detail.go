package keys

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
)

// target is a key a write acts on, as the user saw it.
type target struct {
	key     []byte
	version client.Version
	expires time.Time
	value   []byte // nil when only listed (not read yet)
}

// open shows key in the detail view and reads it; edit opens the editor
// once it is read.
func (m *Model) open(k []byte, edit bool) tea.Cmd {
	if m.detail == nil || !bytes.Equal(m.detail.key, k) {
		m.detail = &detail{key: k}
	}
	m.mode = modeDetail
	m.detail.editNext = edit
	return m.readDetail()
}

// readDetail (re)reads the detail key, keeping what is shown until the
// answer arrives.
func (m *Model) readDetail() tea.Cmd {
	d := m.detail
	if m.common.Backend() == nil {
		d.err = ops.ErrNotConnected
		return nil
	}
	m.detailReq++
	d.loading = true
	level := m.level()
	if d.editNext {
		level = client.ConsistencyLease // the editor's compare-and-swap needs the current version
	}
	return getCmd(m.common, m.detailReq, d.key, level)
}

func (m *Model) onDetail(msg detailMsg) tea.Cmd {
	d := m.detail
	if d == nil || msg.reqID != m.detailReq {
		return nil
	}
	m.advance(msg.at)
	d.loading = false
	d.view = nil
	if msg.err != nil {
		d.err, d.editNext = msg.err, false
		if errors.Is(msg.err, client.ErrKeyNotFound) {
			d.res = nil
		}
		if !common.OutcomeUnknown(msg.err) {
			d.unsettled = nil // answered: the key as it is now
		}
		return nil
	}
	d.res, d.err, d.readAt, d.readLevel, d.conflict, d.unsettled = msg.res, nil, msg.at, msg.level, nil, nil
	if d.editNext {
		d.editNext = false
		return m.startEdit()
	}
	return nil
}

// detailTarget is the detail key as read, for writes.
func (m *Model) detailTarget() (target, bool) {
	d := m.detail
	if d == nil || d.res == nil {
		return target{}, false
	}
	return target{key: d.key, version: d.res.Version, expires: d.res.ExpiresAt(), value: d.res.Value}, true
}

func (m *Model) onDetailKey(msg tea.KeyMsg) tea.Cmd {
	g, k := m.common.Keys, m.keys
	d := m.detail
	page := max(1, m.detailRows())
	rows := 0
	if d.view != nil {
		rows = len(d.view.rows)
	}
	if pos, ok := g.Move(msg, d.scroll, page, rows+1); ok {
		d.scroll = max(0, pos)
		return nil
	}
	if cmd, ok := m.refuseWrite(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Edit):
		if d.res == nil || d.readLevel == client.ConsistencyStaleOK {
			d.editNext = true
			return m.readDetail()
		}
		return m.startEdit()
	case key.Matches(msg, k.TTL):
		return m.runOnDetail(m.ttlAction)
	case key.Matches(msg, k.Delete):
		return m.runOnDetail(m.deleteAction)
	case key.Matches(msg, k.Refresh):
		return m.readDetail()
	case key.Matches(msg, k.Hex):
		d.hex = !d.hex
		d.view, d.scroll = nil, 0
	case key.Matches(msg, k.SearchNext):
		return m.nextMatch(1)
	case key.Matches(msg, k.SearchPrev):
		return m.nextMatch(-1)
	case key.Matches(msg, k.Wrap):
		m.toggleWrap()
	case key.Matches(msg, k.ScrollL), key.Matches(msg, k.ScrollR):
		return m.scrollSideways(key.Matches(msg, k.ScrollR))
	case key.Matches(msg, k.Fold):
		return m.fold(false)
	case key.Matches(msg, k.FoldAll):
		return m.fold(true)
	case key.Matches(msg, k.PrevKey):
		return m.step(-1)
	case key.Matches(msg, k.NextKey):
		return m.step(1)
	}
	d.scroll = max(0, d.scroll)
	return nil
}

// step opens the previous or next key of the list (of the tree's keys
// shown, when the tree is on).
func (m *Model) step(delta int) tea.Cmd {
	if m.tree.on {
		t := &m.tree
		for i := t.cursor + delta; i >= 0 && i < len(t.rows); i += delta {
			if t.rows[i].entry != nil {
				t.cursor = i
				return m.open(t.rows[i].entry.Key, false)
			}
		}
		return nil
	}
	n := len(m.visible())
	if n == 0 {
		return nil
	}
	m.cursor = max(0, min(m.cursor+delta, n-1))
	return m.openSelected(false)
}

func (m *Model) runOnDetail(build func(target) common.Action) tea.Cmd {
	t, ok := m.detailTarget()
	if !ok {
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("%s is not loaded: press r to read it again", DisplayKey(m.detail.key))})
	}
	return common.MsgCmd(common.RunActionMsg{Action: build(t)})
}

// write starts op unless writes are refused.
func (m *Model) write(op writeOp) tea.Cmd {
	if err := m.writeCheck(); err != nil {
		return refuse(op.label(), err)
	}
	m.writing = true
	if op.sameWrite(m.uncertain) {
		// The same write as one whose outcome is unknown: its key makes
		// it apply at most once (the server replays the first answer).
		op.idemKey, op.replay = m.uncertain.idemKey, true
		if op.kind == writeTTL {
			op.value = m.uncertain.value
		}
	}
	return writeCmd(m.common, op)
}

// onWrite shows a write's outcome: the pane's own state (conflict, form
// errors, reloads) and the status line.
func (m *Model) onWrite(msg writeMsg) tea.Cmd {
	m.writing = false
	m.advance(msg.at)
	op := msg.op
	res := common.OpResultMsg{Op: op.label(), Latency: msg.latency, Err: msg.err}
	shown := m.detail != nil && bytes.Equal(m.detail.key, op.key)
	switch {
	case msg.unknown:
		u := op
		m.uncertain = &u
		if shown {
			m.detail.unsettled, m.detail.note = msg.err, ""
		}
	case op.sameWrite(m.uncertain) || m.uncertain != nil && bytes.Equal(m.uncertain.key, op.key):
		m.uncertain = nil // settled, or another write to the key decides
	}
	if msg.err != nil {
		return m.onWriteError(msg, res, shown)
	}
	if shown {
		m.detail.unsettled = nil
	}
	cmds := []tea.Cmd{m.movePage(0)}
	switch op.kind {
	case writeEdit, writeTTL:
		res.Info = "written, version " + FormatVersion(msg.version)
		if op.kind == writeTTL {
			res.Info = fmt.Sprintf("TTL %s, version %s", orNone(durationText(op.ttl)), FormatVersion(msg.version))
		}
		if m.mode == modeEdit {
			m.mode, m.edit = modeDetail, nil
		}
		if shown {
			m.detail.note = res.Info
			cmds = append(cmds, m.readDetail())
		}
	case writeNew:
		res.Info = "written, version " + FormatVersion(msg.version)
		m.form = nil
		m.detail = &detail{key: op.key, note: "new key " + res.Info}
		m.mode = modeDetail
		m.land = op.key // the list's cursor goes to it once the scan lists it
		cmds = append(cmds, m.readDetail())
	case writeDelete:
		res.Info = "deleted"
		if !msg.tombstoned {
			res.Info = "it was already gone"
		}
		m.dropEntry(op.key)
		if shown {
			m.detail = nil
			if m.mode == modeDetail {
				m.mode = modeList
			}
		}
	}
	cmds = append(cmds, common.MsgCmd(res))
	return tea.Batch(cmds...)
}

func (m *Model) onWriteError(msg writeMsg, res common.OpResultMsg, shown bool) tea.Cmd {
	op := msg.op
	if errors.Is(msg.err, errKeyExists) && m.form != nil {
		m.form.exists, m.form.existsKey = msg.exists, op.key
		m.form.err = nil
		return nil
	}
	c := conflictOf(op, msg.err)
	switch {
	case m.mode == modeEdit && m.edit != nil && op.kind == writeEdit:
		m.edit.conflict, m.edit.err = c, nil
		if c == nil {
			m.edit.err = msg.err
		} else if c.current != nil && !c.missing { // show theirs beside yours
			return tea.Batch(m.readTheirs(), m.movePage(0), common.MsgCmd(res))
		}
	case m.mode == modeNew && m.form != nil && op.kind == writeNew:
		m.form.err = msg.err
	case shown:
		m.detail.conflict = c
	}
	if c != nil { // the list shows the old version: read the page again
		return tea.Batch(m.movePage(0), common.MsgCmd(res))
	}
	return common.MsgCmd(res)
}

// conflictOf recognises a failed compare-and-swap.
func conflictOf(op writeOp, err error) *conflict {
	var vm *client.VersionMismatchError
	var se *staleError
	switch {
	case errors.As(err, &vm):
		c := &conflict{op: op.label(), current: vm.Current, missing: vm.KeyMissing}
		if op.ifMatch != nil {
			c.expected = *op.ifMatch
		}
		return c
	case errors.As(err, &se):
		cur := se.current
		return &conflict{op: op.label(), expected: se.expected, current: &cur}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// dropEntry takes a deleted key off the list at once, the cursor staying
// on the key it was on, or on the next one when it was on k: the detail
// beside it follows that key, not the deleted one (and not the top of the
// page, where the scan that follows would otherwise put the cursor).
func (m *Model) dropEntry(k []byte) {
	vis := m.visible()
	i := slices.IndexFunc(vis, func(e client.KeyEntry) bool { return bytes.Equal(e.Key, k) })
	if i < 0 {
		return
	}
	sel := m.Selected()
	m.entries = slices.DeleteFunc(m.entries, func(e client.KeyEntry) bool { return bytes.Equal(e.Key, k) })
	if !m.selectKey(sel) {
		m.cursor = i
	}
	m.clampCursor()
}
