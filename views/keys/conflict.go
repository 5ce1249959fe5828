package keys

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// After a failed compare-and-swap the editor reads their value and shows
// what you read, theirs and yours side by side; ctrl+t re-applies your
// edit on theirs (a three-way merge), and the merge is saved as a
// compare-and-swap against their version.

// theirsMsg is their value, read after a conflict.
type theirsMsg struct {
	key []byte
	res *client.GetResult
	err error
}

func theirsCmd(c common.Common, k []byte) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		res, err := c.Backend().Get(ctx, k, &client.GetOptions{Consistency: client.ConsistencyLease})
		if err != nil {
			err = fmt.Errorf("read their value of %s: %w", DisplayKey(k), err)
		}
		return theirsMsg{key: k, res: res, err: err}
	}
}

// readTheirs starts reading their value after a conflict on the editor.
func (m *Model) readTheirs() tea.Cmd {
	e := m.edit
	if e == nil || e.conflict == nil || e.conflict.missing || m.common.Backend() == nil {
		return nil
	}
	e.theirs, e.theirsErr, e.merge, e.scroll, e.cmp = nil, nil, nil, 0, nil
	return theirsCmd(m.common, e.key)
}

func (m *Model) onTheirs(msg theirsMsg) {
	e := m.edit
	if e == nil || e.conflict == nil || !bytes.Equal(e.key, msg.key) {
		return
	}
	if msg.err != nil {
		e.theirsErr = msg.err
		return
	}
	e.theirs = msg.res
	e.cmp = m.compareTable()
	v := msg.res.Version
	e.conflict.current = &v // what is shown is what a merge or overwrite checks
}

// comparing reports whether the editor shows the side by side comparison
// (or the merge) instead of the text area.
func (e *editor) comparing() bool { return e.conflict != nil && e.theirs != nil && e.cmp != nil }

// startMerge re-applies your edit on their value.
func (m *Model) startMerge() tea.Cmd {
	e := m.edit
	switch {
	case !e.comparing():
		return common.MsgCmd(common.ErrorMsg{Err: errors.New("nothing to merge: a merge follows a conflict (their value read)")})
	case e.hex || kindOf(e.theirs.Value) == kindBinary:
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("binary values do not merge: %s loads theirs, %s overwrites with yours",
			m.keys.Reload.Help().Key, m.keys.Overwrite.Help().Key)})
	}
	yours, err := e.value()
	if err != nil {
		e.err = err
		return nil
	}
	e.merge, e.mcur = merge3(e.orig, e.theirs.Value, yours), 0
	return nil
}

// onCompareKey handles keys while the comparison or the merge is shown.
func (m *Model) onCompareKey(msg tea.KeyMsg) tea.Cmd {
	e, k, g := m.edit, m.keys, m.common.Keys
	r := e.merge
	switch {
	case key.Matches(msg, k.Merge):
		return m.startMerge()
	case r != nil && key.Matches(msg, k.Cancel):
		e.merge = nil // back to the comparison
		return nil
	case r != nil && key.Matches(msg, k.Save):
		return m.saveMerge()
	case r != nil && key.Matches(msg, k.TakeTheirs), r != nil && key.Matches(msg, k.TakeYours), r != nil && key.Matches(msg, k.TakeBoth):
		return m.choose(msg)
	case r != nil:
		if pos, ok := g.Move(msg, e.mcur, 1, len(r.conflicts)); ok {
			e.mcur = max(0, pos)
		}
		return nil
	case key.Matches(msg, k.Save):
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("the key changed: %s merges your edit into theirs, %s overwrites theirs, %s loads theirs",
			k.Merge.Help().Key, k.Overwrite.Help().Key, k.Reload.Help().Key)})
	}
	if pos, ok := g.Move(msg, e.scroll, max(1, m.height-editorChrome-1), m.compareRows()); ok {
		e.scroll = max(0, pos)
	}
	return nil
}

// choose records the choice for the selected conflict and moves to the
// next unresolved one.
func (m *Model) choose(msg tea.KeyMsg) tea.Cmd {
	e, k := m.edit, m.keys
	r := e.merge
	if len(r.conflicts) == 0 {
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("no conflict to choose: %s saves the merge", k.Save.Help().Key)})
	}
	c := r.conflicts[e.mcur]
	switch {
	case key.Matches(msg, k.TakeTheirs):
		c.choice = chooseTheirs
	case key.Matches(msg, k.TakeYours):
		c.choice = chooseYours
	case c.path != nil:
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("%s: a JSON field holds one value: take theirs (%s) or yours (%s)",
			c.where, k.TakeTheirs.Help().Key, k.TakeYours.Help().Key)})
	default:
		c.choice = chooseBoth
	}
	for i := 1; i <= len(r.conflicts); i++ {
		if j := (e.mcur + i) % len(r.conflicts); r.conflicts[j].choice == chooseNone {
			e.mcur = j
			break
		}
	}
	return nil
}

// saveMerge writes the merge if the key is still at their version.
func (m *Model) saveMerge() tea.Cmd {
	e := m.edit
	r := e.merge
	if m.writing {
		return nil
	}
	if n := r.unresolved(); n > 0 {
		k := m.keys
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("%d of %d conflicts not chosen yet: %s takes theirs, %s yours, %s both (↑/↓ moves)",
			n, len(r.conflicts), k.TakeTheirs.Help().Key, k.TakeYours.Help().Key, k.TakeBoth.Help().Key)})
	}
	v, err := r.value()
	if err != nil {
		e.err = err
		return nil
	}
	ver := e.theirs.Version
	return m.write(writeOp{kind: writeEdit, key: e.key, value: v, ifMatch: &ver, keepExpiry: e.theirs.ExpiresAt()})
}
