package keys

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// keyTree is the list's optional tree view: keys grouped by a delimiter,
// with counts and sizes per prefix, built from bounded scans.
type keyTree struct {
	on      bool
	delim   string
	maxKeys int
	root    *treeNode
	rows    []treeRow
	open    map[string]bool // expanded prefixes, kept across rescans
	cursor  int
	top     int
	req     int
	loading bool
	err     error
	trunc   bool
	took    time.Duration
}

func newKeyTree() keyTree {
	return keyTree{delim: DefaultTreeDelimiter, maxKeys: DefaultTreeMaxKeys, open: map[string]bool{}}
}

// SetTreeDelimiter sets the key tree's delimiter (e.g. from the config
// file); "" groups nothing. The tree is scanned again if shown.
func (m *Model) SetTreeDelimiter(d string) tea.Cmd {
	m.tree.delim = d
	m.tree.open = map[string]bool{}
	if m.tree.on {
		return m.scanTree()
	}
	return nil
}

// SetTreeMaxKeys bounds the scans the tree is built from (1..1,000,000).
func (m *Model) SetTreeMaxKeys(n int) { m.tree.maxKeys = max(1, min(n, 1_000_000)) }

// TreeShown reports whether the list shows the key tree.
func (m *Model) TreeShown() bool { return m.tree.on }

// toggleTree shows the tree (scanning it) or the flat list.
func (m *Model) toggleTree() tea.Cmd {
	m.tree.on = !m.tree.on
	if m.tree.on {
		return m.scanTree()
	}
	return nil
}

// scanTree builds the tree again from a bounded scan of the prefix.
func (m *Model) scanTree() tea.Cmd {
	if m.common.Backend() == nil {
		return nil
	}
	t := &m.tree
	t.req++
	t.loading = true
	return treeScanCmd(m.common, t.req, []byte(m.prefix), t.delim, t.maxKeys, m.level())
}

func (m *Model) onTree(msg treeMsg) {
	t := &m.tree
	if msg.reqID != t.req {
		return
	}
	m.advance(msg.at)
	t.loading = false
	if msg.err != nil {
		t.err = msg.err
		return
	}
	var sel string
	if r, ok := m.treeRow(); ok {
		sel = r.id()
	}
	t.err, t.root, t.trunc, t.took = nil, msg.root, msg.truncated, msg.latency
	t.rows = flatten(t.root, t.open)
	for i, r := range t.rows {
		if r.id() == sel {
			t.cursor = i
		}
	}
	m.layoutTree()
}

// id names a row across rescans.
func (r treeRow) id() string {
	if r.entry != nil {
		return "k" + string(r.entry.Key)
	}
	return "p" + r.node.prefix
}

// treeRow is the row under the tree's cursor.
func (m *Model) treeRow() (treeRow, bool) {
	t := &m.tree
	if t.cursor < 0 || t.cursor >= len(t.rows) {
		return treeRow{}, false
	}
	return t.rows[t.cursor], true
}

// layoutTree keeps the cursor in range and on screen.
func (m *Model) layoutTree() {
	t := &m.tree
	t.cursor = max(0, min(t.cursor, len(t.rows)-1))
	rows := m.listRows()
	t.top = max(0, min(t.top, t.cursor))
	if t.cursor >= t.top+rows {
		t.top = t.cursor - rows + 1
	}
}

// expand opens (or closes) the prefix under the cursor; on a key it opens
// the key.
func (m *Model) expand(open bool) tea.Cmd {
	t := &m.tree
	r, ok := m.treeRow()
	switch {
	case !ok:
		return nil
	case r.entry != nil && open:
		return m.open(r.entry.Key, false)
	case r.entry != nil || t.open[r.node.prefix] == open:
		if !open { // a key or a closed prefix: go to the parent prefix
			for i := t.cursor - 1; i >= 0; i-- {
				if t.rows[i].entry == nil && t.rows[i].depth < r.depth {
					t.cursor = i
					break
				}
			}
		}
		return nil
	}
	if open {
		t.open[r.node.prefix] = true
	} else {
		delete(t.open, r.node.prefix)
	}
	t.rows = flatten(t.root, t.open)
	return nil
}

// onTreeKey handles the tree's own keys; ok is false for the keys the list
// handles the same way (writes on the selected key, paging, stale reads).
func (m *Model) onTreeKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	g, k := m.common.Keys, m.keys
	t := &m.tree
	if pos, ok := g.Move(msg, t.cursor, max(1, m.listRows()), len(t.rows)); ok {
		t.cursor = pos
		return nil, true
	}
	switch {
	case key.Matches(msg, k.Tree):
		return m.toggleTree(), true
	case key.Matches(msg, k.Open):
		if r, ok := m.treeRow(); ok && r.entry == nil {
			return m.expand(!t.open[r.node.prefix]), true
		}
		return m.expand(true), true
	case key.Matches(msg, g.Right):
		return m.expand(true), true
	case key.Matches(msg, g.Left):
		return m.expand(false), true
	case key.Matches(msg, k.Refresh):
		return m.scanTree(), true
	case key.Matches(msg, k.NextPage), key.Matches(msg, k.PrevPage):
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("the key tree has no pages: it groups the first %d keys (%s shows the flat list)", t.maxKeys, k.Tree.Help().Key)}), true
	}
	return nil, false
}

func (m *Model) treeView() string {
	st := m.common.Styles
	t := &m.tree
	cols := m.columns()
	out := []string{m.treeTitle(), st.TableHeader.Render(common.FitLine("  "+cols.row("PREFIX / KEY", "KEYS", "SIZE", "VERSION", "TTL"), m.lw()))}
	for i := t.top; i < len(t.rows) && i < t.top+m.listRows(); i++ {
		out = append(out, m.treeLine(t.rows[i], i == t.cursor, cols))
	}
	if t.root != nil && len(t.rows) == 0 {
		out = append(out, st.Muted.Render("  no keys under this prefix"))
	}
	for len(out) < m.height-1 {
		out = append(out, "")
	}
	k := m.keys
	footer := m.hints(hint{k.Open, "open/expand"}, hint{m.common.Keys.Left, "collapse"}, hint{k.Tree, "flat list"}, hint{k.Refresh, "rescan"})
	if t.err != nil {
		footer = st.Error.Render("✗ " + errorText(t.err) + " (r retries)")
	}
	out = append(out, footer)
	return common.Fit(strings.Join(out, "\n"), m.lw(), m.height)
}

func (m *Model) treeTitle() string {
	st := m.common.Styles
	t := &m.tree
	parts := []string{"delimiter " + strconv.Quote(t.delim)}
	if m.prefix != "" {
		parts = append(parts, "prefix "+strconv.Quote(m.prefix))
	}
	switch {
	case t.loading || t.root == nil:
		parts = append(parts, "scanning…")
	default:
		n := fmt.Sprintf("%s keys in %d prefixes", groupDigits(t.root.keys), len(t.root.children))
		if t.trunc {
			n = fmt.Sprintf("first %s keys (bounded scan: more not counted)", groupDigits(t.root.keys))
		}
		parts = append(parts, n, FormatSize(t.root.size), "scan "+common.FormatLatency(t.took))
	}
	return st.Title.Render("KEY TREE") + st.Muted.Render("  "+strings.Join(parts, " · "))
}

func (m *Model) treeLine(r treeRow, selected bool, cols columns) string {
	st := m.common.Styles
	indent := strings.Repeat("  ", r.depth)
	var line string
	if r.entry != nil {
		e := r.entry
		line = cols.row(indent+"  "+DisplayKey(e.Key), "", FormatSize(e.Size), FormatVersion(e.Version), FormatTTL(e.ExpiresAt, m.now))
	} else {
		mark := "▸ "
		if m.tree.open[r.node.prefix] {
			mark = "▾ "
		}
		line = cols.row(indent+mark+DisplayKey([]byte(r.node.label)), shortCount(r.node.keys), FormatSize(r.node.size), "", "")
	}
	if selected {
		return st.Selected.Render(common.FitLine("> "+line, m.lw()))
	}
	if r.entry == nil {
		return st.Accent.Render("  " + line)
	}
	return st.Text.Render("  " + line)
}

// errPrefixSelected is the tree's answer to a write on a prefix row.
var errPrefixSelected = errors.New("a prefix is selected, not a key: expand it (enter or →) and select a key")

// shortCount fits a key count in the 5-column KEYS cell: 12345, 123k,
// 12.3M.
func shortCount(n int) string {
	switch {
	case n < 100_000:
		return strconv.Itoa(n)
	case n < 10_000_000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

func (m *Model) onTreeMouse(msg tea.MouseMsg) tea.Cmd {
	t := &m.tree
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		t.cursor = max(0, t.cursor-1)
	case msg.Button == tea.MouseButtonWheelDown:
		t.cursor = min(len(t.rows)-1, t.cursor+1)
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		row := msg.Y - listHeaderLines + t.top
		if msg.Y >= listHeaderLines && row < len(t.rows) {
			if row == t.cursor {
				return m.expand(t.rows[row].entry != nil || !t.open[t.rows[row].node.prefix])
			}
			t.cursor = row
		}
	}
	return nil
}

// treeToggleMsg and treeDelimMsg come from the palette.
type (
	treeToggleMsg struct{}
	treeDelimMsg  struct{ delim string }
)

func (m *Model) treeAction() common.Action {
	title := "Show the key tree"
	if m.tree.on {
		title = "Show the flat key list"
	}
	return common.Action{Title: title, Help: "keys grouped by prefix (delimiter " + strconv.Quote(m.tree.delim) + ") with counts and sizes", Keys: m.keys.Tree.Help().Key,
		Run: func(string) tea.Cmd { return common.MsgCmd(treeToggleMsg{}) }}
}

func (m *Model) delimiterAction() common.Action {
	return common.Action{Title: "Key tree delimiter", Help: "what splits keys into the tree's prefixes (: by default)",
		Prompt: "delimiter (one or more characters, e.g. : / . _)", Default: m.tree.delim,
		Run: func(arg string) tea.Cmd {
			if arg == "" {
				return common.MsgCmd(common.ErrorMsg{Err: errors.New("the key tree needs a delimiter: type one, e.g. : or /")})
			}
			return common.MsgCmd(treeDelimMsg{delim: arg})
		}}
}
