package vectors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// sortColumns are the index list's sort columns, in the sort key's cycle.
var sortColumns = []string{"count", "size"}

// SortColumns implements common.Sortable.
func (m *Model) SortColumns() []string { return sortColumns }

// Sort implements common.Sortable.
func (m *Model) Sort() common.SortState { return m.sort }

// SetSort implements common.Sortable; the cursor stays on the selected index.
func (m *Model) SetSort(s common.SortState) {
	m.sort = s
	m.syncCursor(m.selected())
	m.layout()
}

// sorted returns ixs in the current sort (a copy; ties keep the listing's
// namespace order).
func (m *Model) sorted(ixs []client.VectorIndexInfo) []client.VectorIndexInfo {
	if m.sort.Column == "" {
		return ixs
	}
	out := append([]client.VectorIndexInfo(nil), ixs...)
	key := func(ix client.VectorIndexInfo) uint64 {
		if m.sort.Column == "size" {
			return ix.Bytes
		}
		return ix.Count
	}
	sort.SliceStable(out, func(i, j int) bool {
		if m.sort.Desc {
			return key(out[i]) > key(out[j])
		}
		return key(out[i]) < key(out[j])
	})
	return out
}

// CopyTarget implements common.Copyable: the vector id at the top of the
// results page, or the selected index's namespace before any search.
func (m *Model) CopyTarget() (string, string, bool) {
	if r := m.Result(); r != nil && m.scroll < len(r.Matches) {
		id := r.Matches[m.scroll].ID
		return fmt.Sprintf("vector id %q", id), id, true
	}
	if ns := m.selected(); ns != "" {
		return fmt.Sprintf("namespace %q", ns), ns, true
	}
	return "", "", false
}

// CopyTable implements common.TableCopyable: the search results when there
// are some, else the index list.
func (m *Model) CopyTable() (string, string, bool) {
	var b strings.Builder
	if r := m.Result(); r != nil && len(r.Matches) > 0 {
		b.WriteString("rank\tid\tdistance\n")
		for i, x := range r.Matches {
			fmt.Fprintf(&b, "%d\t%s\t%s\n", i+1, x.ID, formatDistance(x.Distance))
		}
		return fmt.Sprintf("search results (%d rows)", len(r.Matches)), b.String(), true
	}
	vis := m.visible()
	if len(vis) == 0 {
		return "", "", false
	}
	b.WriteString("namespace\tdimensions\tdistance\ttype\tcount\tbytes\tshard\tserved_by\n")
	for _, ix := range vis {
		fmt.Fprintf(&b, "%s\t%d\t%s\t%s\t%d\t%d\t%d\t%s\n", ix.Namespace, ix.Dimensions, ix.Distance, ix.IndexType, ix.Count, ix.Bytes, ix.Shard, ix.ServedBy)
	}
	return fmt.Sprintf("index table (%d rows)", len(vis)), b.String(), true
}
