package keys

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// listHeaderLines is the title and the column header above the rows.
const listHeaderLines = 2

// Fixed column widths of the list; the key column takes the rest.
const (
	shardW   = 5
	sizeW    = 9
	versionW = 11
	ttlW     = 8
	minKeyW  = 16
)

// View implements common.Pane.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	if m.wide() {
		return m.splitView()
	}
	switch m.mode {
	case modeDetail:
		return m.detailView()
	case modeEdit:
		return m.editView()
	case modeNew:
		return m.formView()
	}
	if m.tree.on {
		return m.treeView()
	}
	return m.listView()
}

// listRows is how many rows of keys fit.
func (m *Model) listRows() int { return max(1, m.height-listHeaderLines-1) }

// columns says which optional columns fit, and the key column's width.
type columns struct {
	key                       int
	shard, size, version, ttl bool
}

func (m *Model) columns() columns {
	c := columns{shard: true, size: true, version: true, ttl: true}
	c.key = m.lw() - 2 - (shardW + 1) - (sizeW + 1) - (versionW + 1) - (ttlW + 1)
	if c.key < minKeyW {
		c.version, c.key = false, c.key+versionW+1
	}
	if c.key < minKeyW {
		c.shard, c.key = false, c.key+shardW+1
	}
	if c.key < minKeyW {
		c.size, c.key = false, c.key+sizeW+1
	}
	return c
}

func (c columns) row(key, shard, size, version, ttl string) string {
	var b strings.Builder
	if ansi.StringWidth(key) > c.key { // a cut key says so, as common.Columns does
		key = ansi.Truncate(key, c.key, "…")
	}
	b.WriteString(common.FitLine(key, c.key))
	if c.shard {
		fmt.Fprintf(&b, " %*s", shardW, shard)
	}
	if c.size {
		fmt.Fprintf(&b, " %*s", sizeW, size)
	}
	if c.version {
		b.WriteString(" " + common.FitLine(version, versionW))
	}
	if c.ttl {
		fmt.Fprintf(&b, " %*s", ttlW, ttl)
	}
	return b.String()
}

func (m *Model) listView() string {
	st := m.common.Styles
	vis := m.visible()
	cols := m.columns()
	out := []string{m.listTitle(), st.TableHeader.Render(common.FitLine("  "+cols.row(m.header("KEY", sortKey), "SHARD", m.header("SIZE", sortSize), m.header("VERSION", sortVersion), m.header("TTL", sortTTL)), m.lw()))}
	rows := m.listRows()
	for i := m.top; i < len(vis) && i < m.top+rows; i++ {
		out = append(out, m.listRow(vis[i], i == m.cursor, cols))
	}
	if len(vis) == 0 && m.loaded {
		msg := "no keys yet: press a to put one"
		if m.prefix != "" {
			msg = "no key starts with " + strconv.Quote(m.prefix)
		}
		out = append(out, st.Muted.Render("  "+msg))
	}
	for len(out) < m.height-1 {
		out = append(out, "")
	}
	out = append(out, m.listFooter(len(vis)))
	return common.Fit(strings.Join(out, "\n"), m.lw(), m.height)
}

func (m *Model) listRow(e client.KeyEntry, selected bool, cols columns) string {
	st := m.common.Styles
	ttl := FormatTTL(e.ExpiresAt, m.now)
	line := cols.row(DisplayKey(e.Key), strconv.Itoa(e.Shard), FormatSize(e.Size), FormatVersion(e.Version), ttl)
	if selected {
		return st.Selected.Render(common.FitLine("> "+line, m.lw()))
	}
	if ttl == "expired" {
		return st.Muted.Render("  " + line)
	}
	return st.Text.Render("  " + line)
}

func (m *Model) listTitle() string {
	// When the line is too narrow, the wording of "all keys" and then the
	// cluster's count give way: the last part says how fresh the list is
	// and was the one cut at 80 columns.
	for drop := 0; ; drop++ {
		t := m.listTitleDropping(drop)
		if drop == 2 || ansi.StringWidth(t) <= m.lw() {
			return t
		}
	}
}

// listTitleDropping is the list's title without its first drop optional
// parts (1: the "all keys" wording, 2: also the cluster's key count).
func (m *Model) listTitleDropping(drop int) string {
	st := m.common.Styles
	var parts []string
	what := "all keys, in key order"
	if l := m.sort.Label(); l != "" {
		what = "all keys"
	}
	if m.prefix != "" {
		what = "prefix " + strconv.Quote(m.prefix)
	}
	if m.prefix != "" || drop < 1 {
		parts = append(parts, what)
	}
	parts = append(parts, fmt.Sprintf("page %d", len(m.pages)))
	if l := m.sort.Label(); l != "" {
		parts = append(parts, "page sorted by "+l)
	}
	if n, ok := m.clusterKeys(); ok && drop < 2 {
		parts = append(parts, fmt.Sprintf("%d keys in the cluster", n))
	}
	if m.staleOK {
		parts = append(parts, "stale_ok reads")
	}
	switch {
	case m.loading || m.scanPending:
		parts = append(parts, "scanning…")
	case m.loaded && m.listErr != nil && !m.scannedAt.IsZero():
		// The keys shown are the last good scan's, not the failed one's.
		parts = append(parts, "scanned at "+m.scannedAt.In(m.loc).Format("15:04:05")+", rescan failed")
	case m.loaded && !m.scannedAt.IsZero() && m.now.Sub(m.scannedAt) >= readAgeShown:
		// The list is a scan, not read again by itself: versions and sizes
		// are as of then (r scans again).
		parts = append(parts, "scanned at "+m.scannedAt.In(m.loc).Format("15:04:05")+" ("+FormatTTL(m.now, m.scannedAt)+" ago)")
	case m.loaded:
		parts = append(parts, "scan "+common.FormatLatency(m.scanTook))
	}
	return st.Title.Render("KEYS") + st.Muted.Render("  "+strings.Join(parts, " · "))
}

// listFooter: the scan's error, or what the page holds and the main keys.
func (m *Model) listFooter(n int) string {
	st := m.common.Styles
	switch {
	case m.listErr != nil:
		return st.Error.Render("✗ " + errorText(m.listErr) + " (r retries)")
	case !m.loaded && m.common.Backend() == nil:
		return st.Muted.Render("not connected")
	case !m.loaded:
		return st.Muted.Render("waiting for the cluster…")
	}
	info := fmt.Sprintf("%d keys", n)
	if off := m.offsets[len(m.offsets)-1]; n > 0 && !m.scanPending {
		info = fmt.Sprintf("keys %d-%d", off+1, off+n)
	}
	if m.done {
		info += " · last page"
	} else {
		info += " · more pages"
	}
	k := m.keys
	return st.Muted.Render(info+"  ") + m.hints(hint{k.Open, "open"}, hint{k.Add, "new"}, hint{k.Edit, "edit"},
		hint{k.TTL, "TTL"}, hint{k.Delete, "delete"}, hint{k.NextPage, "page"}, hint{k.Refresh, "refresh"})
}

// hint is a key and a short word for the pane's hint lines.
type hint struct {
	b    key.Binding
	word string
}

// hints renders key hints: "enter open · a new …".
func (m *Model) hints(hs ...hint) string {
	st := m.common.Styles
	parts := make([]string, 0, len(hs))
	for _, h := range hs {
		if m.common.ReadOnly && m.isWrite(h.b) { // dimmed: off on read-only
			parts = append(parts, st.Muted.Render(h.b.Help().Key+" "+h.word))
			continue
		}
		parts = append(parts, st.Accent.Render(h.b.Help().Key)+st.Muted.Render(" "+h.word))
	}
	return strings.Join(parts, st.Muted.Render(" · "))
}
