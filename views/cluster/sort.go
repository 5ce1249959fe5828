package cluster

import (
	"sort"
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

// rttOf is the node's last poll round trip; unpolled and failing nodes sort
// last.
func (m *Model) rttOf(id string) time.Duration {
	n := m.nodes[id]
	if n == nil || !n.polled || n.err != nil {
		return time.Duration(1<<62 - 1)
	}
	return n.rtt
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
		less = func(a, b string) bool { return m.leads[a] < m.leads[b] }
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
