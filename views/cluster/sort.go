package cluster

import (
	"sort"
	"strings"
	"time"

	"github.com/norikv/norikv-console/ui/common"
)

// sortColumns are the nodes table's sort keys, in the order `o` cycles.
var sortColumns = []string{"health", "leads", "RTT"}

// SortColumns implements common.Sortable.
func (m *Model) SortColumns() []string { return sortColumns }

// Sort implements common.Sortable.
func (m *Model) Sort() common.SortState { return m.sort }

// SetSort implements common.Sortable: the nodes table's order, kept across
// refreshes (ties keep node id order).
func (m *Model) SetSort(s common.SortState) {
	m.sort = s
	m.layout()
}

// healthRank orders health from worst to best, so "health ↑" shows the
// nodes in trouble first.
func healthRank(role string) int {
	switch role {
	case "dead":
		return 0
	case "unreachable":
		return 1
	case "suspect":
		return 2
	case "alive":
		return 4
	}
	return 3
}

// rttOf is the node's last poll round trip (the wait so far while its
// poll is overdue); unpolled and failing nodes sort last.
func (m *Model) rttOf(id string) time.Duration {
	text, d, ok := m.rttCell(id)
	if !ok && (d == 0 || text == "-") {
		return time.Duration(1<<62 - 1)
	}
	return d
}

// sortNodes orders ids (sorted by id) by the table's sort, stably.
func (m *Model) sortNodes(ids []string) {
	var less func(a, b string) bool
	switch m.sort.Column {
	case "health":
		less = func(a, b string) bool {
			na, _ := m.view.Node(a)
			nb, _ := m.view.Node(b)
			return healthRank(na.Role) < healthRank(nb.Role)
		}
	case "leads":
		leads := m.leadsShown() // the LEADS column's numbers, not the view's count
		less = func(a, b string) bool { return leads[a] < leads[b] }
	case "RTT":
		less = func(a, b string) bool { return m.rttOf(a) < m.rttOf(b) }
	default:
		return
	}
	desc := m.sort.Desc
	sort.SliceStable(ids, func(i, j int) bool {
		if desc {
			return less(ids[j], ids[i])
		}
		return less(ids[i], ids[j])
	})
}

// natLess orders node ids the way people count: n2 before n10.
func natLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

// digits returns the length of s's leading run of ASCII digits.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// sortIDs sorts node ids naturally.
func sortIDs(ids []string) {
	sort.SliceStable(ids, func(i, j int) bool { return natLess(ids[i], ids[j]) })
}
