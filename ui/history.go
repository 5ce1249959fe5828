package ui

// historyLen bounds the panes esc goes back through.
const historyLen = 16

// pushHistory records pane from as the one to go back to. Panes keep their
// own state (cursor, scroll, open detail) while hidden, so coming back finds
// them as they were left.
func (m *Model) pushHistory(from int) {
	if n := len(m.history); n > 0 && m.history[n-1] == from {
		return
	}
	m.history = append(m.history, from)
	if len(m.history) > historyLen {
		m.history = append(m.history[:0], m.history[len(m.history)-historyLen:]...)
	}
}

// goBack shows the previous pane of the history; false when there is none.
func (m *Model) goBack() bool {
	for len(m.history) > 0 {
		i := m.history[len(m.history)-1]
		m.history = m.history[:len(m.history)-1]
		if i != m.active && i < len(m.panes) {
			m.stopFilter(false)
			m.active = i
			return true
		}
	}
	return false
}

// History returns the panes esc goes back through, the most recent last.
func (m *Model) History() []string {
	out := make([]string, len(m.history))
	for i, p := range m.history {
		out[i] = m.panes[p].Title()
	}
	return out
}
