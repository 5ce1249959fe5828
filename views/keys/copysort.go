package keys

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// Sort columns of the key list (common.Sortable). The list sorts the page
// shown: keys come from the cluster in key order, a page at a time.
const (
	sortKey     = "key"
	sortSize    = "size"
	sortVersion = "version"
	sortTTL     = "TTL"
)

// SortColumns implements common.Sortable.
func (m *Model) SortColumns() []string { return []string{sortKey, sortSize, sortVersion, sortTTL} }

// Sort implements common.Sortable.
func (m *Model) Sort() common.SortState { return m.sort }

// SetSort implements common.Sortable: the page shown is sorted at once and
// every page read after (refreshes included) the same way; the cursor
// stays on its key.
func (m *Model) SetSort(s common.SortState) {
	sel := m.Selected()
	m.sort = s
	m.sortEntries()
	m.selectKey(sel)
	m.layout()
}

// selectKey puts the list cursor on k if it is shown, and tells whether it is.
func (m *Model) selectKey(k []byte) bool {
	if k == nil {
		return false
	}
	for i, e := range m.visible() {
		if bytes.Equal(e.Key, k) {
			m.cursor = i
			return true
		}
	}
	return false
}

// sortEntries orders m.entries by the sort (stable: ties keep key order;
// the natural order is key order, as scanned).
func (m *Model) sortEntries() {
	es := m.entries
	var less func(a, b *client.KeyEntry) int
	switch m.sort.Column {
	case sortSize:
		less = func(a, b *client.KeyEntry) int { return cmpU(a.Size, b.Size) }
	case sortVersion:
		less = func(a, b *client.KeyEntry) int {
			if c := cmpU(a.Version.Term, b.Version.Term); c != 0 {
				return c
			}
			return cmpU(a.Version.Index, b.Version.Index)
		}
	case sortTTL: // keys without a TTL never expire: last
		less = func(a, b *client.KeyEntry) int {
			switch {
			case a.ExpiresAt.IsZero() && b.ExpiresAt.IsZero():
				return 0
			case a.ExpiresAt.IsZero():
				return 1
			case b.ExpiresAt.IsZero():
				return -1
			}
			return a.ExpiresAt.Compare(b.ExpiresAt)
		}
	}
	sort.SliceStable(es, func(i, j int) bool {
		if less == nil {
			return bytes.Compare(es[i].Key, es[j].Key) < 0
		}
		c := less(&es[i], &es[j])
		if m.sort.Desc {
			c = -c
		}
		if c == 0 {
			return bytes.Compare(es[i].Key, es[j].Key) < 0
		}
		return c < 0
	})
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// header labels a column, with the sort's arrow when the list is sorted
// by it.
func (m *Model) header(name, column string) string {
	if m.sort.Column != column {
		return name
	}
	if m.sort.Desc {
		return name + "↓"
	}
	return name + "↑"
}

// CopyTarget implements common.Copyable: the value in the detail view, the
// selected key in the list (or the selected prefix in the tree).
func (m *Model) CopyTarget() (what, text string, ok bool) {
	switch m.mode {
	case modeDetail:
		d := m.detail
		if d == nil || d.res == nil {
			return "", "", false
		}
		v := d.res.Value
		if kindOf(v) == kindBinary { // a clipboard holds text: binary as hex digits
			return "value of " + strconv.Quote(DisplayKey(d.key)) + " as hex", toHexText(v), true
		}
		return "value of " + strconv.Quote(DisplayKey(d.key)), string(v), true
	case modeList:
		if m.tree.on {
			if r, ok := m.treeRow(); ok && r.entry == nil {
				return "prefix " + strconv.Quote(r.node.prefix), r.node.prefix, true
			}
		}
		if e, ok := m.selectedEntry(); ok {
			k := DisplayKey(e.Key)
			return "key " + strconv.Quote(k), k, true
		}
	}
	return "", "", false
}

// CopyTable implements common.TableCopyable: the page shown as TSV (sizes
// in bytes, TTL as shown), or the tree's open rows.
func (m *Model) CopyTable() (what, tsv string, ok bool) {
	var b strings.Builder
	if m.tree.on {
		if len(m.tree.rows) == 0 {
			return "", "", false
		}
		b.WriteString("prefix_or_key\tkeys\tbytes\n")
		for _, r := range m.tree.rows {
			if r.entry != nil {
				fmt.Fprintf(&b, "%s\t1\t%d\n", tsvCell(DisplayKey(r.entry.Key)), r.entry.Size)
				continue
			}
			fmt.Fprintf(&b, "%s\t%d\t%d\n", tsvCell(r.node.prefix), r.node.keys, r.node.size)
		}
		return fmt.Sprintf("key tree (%d rows)", len(m.tree.rows)), b.String(), true
	}
	vis := m.visible()
	if len(vis) == 0 {
		return "", "", false
	}
	b.WriteString("key\tshard\tsize_bytes\tversion\tttl\n")
	for _, e := range vis {
		fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\n", tsvCell(DisplayKey(e.Key)), e.Shard, e.Size, FormatVersion(e.Version), FormatTTL(e.ExpiresAt, m.now))
	}
	return fmt.Sprintf("keys table (%d rows)", len(vis)), b.String(), true
}

// tsvCell keeps a cell on its line and column: tabs and newlines become
// spaces (keys with them are shown Go-quoted anyway).
func tsvCell(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
