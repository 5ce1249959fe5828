package stats

import (
	"sort"
	"time"

	"github.com/norikv/norikv-console/ui/common"
)

// sortColumns are the operations table's sort keys, in the order `o` cycles.
var sortColumns = []string{"ops/s", "p99", "errors"}

// SortColumns implements common.Sortable.
func (m *Model) SortColumns() []string { return sortColumns }

// Sort implements common.Sortable.
func (m *Model) Sort() common.SortState { return m.sort }

// SetSort implements common.Sortable: the order is kept as samples arrive
// (ties keep the name order), and the selected operation stays selected.
func (m *Model) SetSort(s common.SortState) {
	m.sort = s
	m.refreshOps()
	m.layout()
}

// rateWindow is the time the ops/s column averages over: 10 s divides the
// periods of the console's own polls (1, 2 and 5 s) evenly.
const rateWindow = 10 * time.Second

// rate is op's ops/s over the last rateWindow.
func (m *Model) rate(op string) (float64, bool) { return m.rec.Series(op).RecentRate(rateWindow) }

// sortOps orders m.ops (sorted by name) by the table's sort, stably.
func (m *Model) sortOps() {
	var key func(op string) float64
	switch m.sort.Column {
	case "ops/s":
		key = func(op string) float64 {
			r, _ := m.rate(op)
			return r
		}
	case "p99":
		key = func(op string) float64 { return float64(m.last.Ops[op].Latency.P99()) }
	case "errors":
		key = func(op string) float64 { return float64(m.last.Ops[op].Errors) }
	default:
		return
	}
	desc := m.sort.Desc
	sort.SliceStable(m.ops, func(i, j int) bool {
		if desc {
			return key(m.ops[i]) > key(m.ops[j])
		}
		return key(m.ops[i]) < key(m.ops[j])
	})
}
