package keys

import (
	"bytes"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// WideMinWidth is the width from which the list (or tree) and the detail
// of the selected key are shown side by side.
const WideMinWidth = 160

// wide reports whether the list and the detail share the screen: a wide
// pane, browsing (the editor and the new-key form take it whole).
func (m *Model) wide() bool {
	return m.width >= WideMinWidth && (m.mode == modeList || m.mode == modeDetail)
}

// lw is the list's width: two fifths of a wide pane (64 of 160, 80 of
// 200: every column fits), else all of it.
func (m *Model) lw() int {
	if m.wide() {
		return m.width * 2 / 5
	}
	return m.width
}

// dw is the detail's width: the rest of a wide pane after a separator.
func (m *Model) dw() int {
	if m.wide() {
		return m.width - m.lw() - 1
	}
	return m.width
}

// follow reads the key under the list's cursor into the detail side of a
// wide pane, once per key (a read per selection, older answers dropped).
func (m *Model) follow() tea.Cmd {
	if !m.wide() || m.mode != modeList {
		return nil
	}
	e, ok := m.selectedEntry()
	if !ok || m.detail != nil && bytes.Equal(m.detail.key, e.Key) {
		return nil
	}
	m.detail = &detail{key: e.Key}
	return m.readDetail()
}

// rereadOutdatedDetail reads the key shown beside the list again when the
// list, just scanned, lists it at a newer version than the detail's read:
// side by side they would contradict each other (found in tmux with a key
// written by another client while its leader was cut off: the list read
// 3/7, the detail beside it 2/3 and its old value, as "lease read").
func (m *Model) rereadOutdatedDetail() tea.Cmd {
	d := m.detail
	if !m.wide() || d == nil || d.loading || d.res == nil {
		return nil
	}
	for _, e := range m.entries {
		if bytes.Equal(e.Key, d.key) {
			if newerVersion(e.Version, d.res.Version) {
				return m.readDetail()
			}
			return nil
		}
	}
	return nil
}

// newerVersion tells whether a is a later write than b (indexes grow along
// a group's log; the term breaks no tie in practice).
func newerVersion(a, b client.Version) bool {
	if a.Index != b.Index {
		return a.Index > b.Index
	}
	return a.Term > b.Term
}

// splitView draws the list (or tree) and the detail side by side; the
// side with the keyboard has its title in the accent colour.
func (m *Model) splitView() string {
	st := m.common.Styles
	left := m.listView
	if m.tree.on {
		left = m.treeView
	}
	var right string
	if r, ok := m.treeRow(); m.tree.on && m.mode == modeList && ok && r.entry == nil {
		right = common.Fit(st.Title.Render("PREFIX ")+st.Text.Render(DisplayKey([]byte(r.node.prefix)))+"\n"+
			st.Muted.Render(fmt.Sprintf("%s keys · %s · %d prefixes under it · enter expands", groupDigits(r.node.keys), FormatSize(r.node.size), len(r.node.children))),
			m.dw(), m.height)
	} else if m.detail != nil {
		right = m.detailView()
	} else {
		right = common.Fit(st.Muted.Render("select a key: its value shows here"), m.dw(), m.height)
	}
	ls, rs := strings.Split(left(), "\n"), strings.Split(right, "\n")
	sep := st.Muted.Render("│")
	if m.mode == modeDetail {
		sep = st.Accent.Render("│")
	}
	var b strings.Builder
	for i := 0; i < m.height; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		l, r := "", ""
		if i < len(ls) {
			l = ls[i]
		}
		if i < len(rs) {
			r = rs[i]
		}
		b.WriteString(common.FitLine(l, m.lw()) + sep + common.FitLine(r, m.dw()))
	}
	return b.String()
}
