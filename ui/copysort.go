package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/clipboard"
	"github.com/norikv/norikv-console/ui/common"
)

// copiedMsg reports a finished clipboard write.
type copiedMsg struct {
	what string
	n    int
	err  error
}

// copySelection asks the active pane what to copy (its selection, or its
// table as TSV) and sends it to the terminal's clipboard off the update
// loop.
func (m *Model) copySelection(table bool) tea.Cmd {
	p := m.Active()
	var what, text string
	ok, can := false, false
	if table {
		if c, is := p.(common.TableCopyable); is {
			can = true
			what, text, ok = c.CopyTable()
		}
	} else if c, is := p.(common.Copyable); is {
		can = true
		what, text, ok = c.CopyTarget()
	}
	switch {
	case !can && table:
		m.setError(fmt.Errorf("the %s pane has no table to copy", p.Title()))
		return nil
	case !can:
		m.setError(fmt.Errorf("the %s pane has nothing to copy", p.Title()))
		return nil
	case !ok:
		m.setError(fmt.Errorf("nothing selected to copy in the %s pane: move to a row first", p.Title()))
		return nil
	}
	if err := clipboard.Check(text); err != nil {
		m.setError(fmt.Errorf("copy %s: %w", what, err))
		return nil
	}
	m.lastCopy = text
	clip := m.clipboard
	if clip == nil {
		return common.MsgCmd(copiedMsg{what: what, n: len(text)}) // no terminal (tests)
	}
	return func() tea.Msg { return copiedMsg{what: what, n: len(text), err: clip(text)} }
}

func (m *Model) onCopied(msg copiedMsg) {
	if msg.err != nil {
		m.setError(fmt.Errorf("copy %s: %w", msg.what, msg.err))
		return
	}
	m.setInfo(fmt.Sprintf("copied %s (%d bytes)", msg.what, msg.n))
}

// sortActive moves the active pane's sort to the next column, or reverses
// it.
func (m *Model) sortActive(reverse bool) {
	s, ok := m.Active().(common.Sortable)
	if !ok {
		m.setError(fmt.Errorf("the %s pane has no table to sort", m.Active().Title()))
		return
	}
	cur := s.Sort()
	next := common.NextSort(cur, s.SortColumns())
	if reverse {
		if cur.Column == "" {
			m.setError(fmt.Errorf("the %s table is in its natural order: press %s to sort by a column first", m.Active().Title(), m.common.Keys.Sort.Help().Key))
			return
		}
		next = common.ToggleDesc(cur)
	}
	s.SetSort(next)
	if l := next.Label(); l != "" {
		m.setInfo("sort: " + l)
	} else {
		m.setInfo("sort: natural order")
	}
}

// LastCopy returns the text last sent to the clipboard.
func (m *Model) LastCopy() string { return m.lastCopy }
