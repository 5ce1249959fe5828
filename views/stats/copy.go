package stats

import (
	"fmt"
	"strings"
	"time"
)

// tsvHeader names the columns of the copied table.
const tsvHeader = "operation\tops/s\tp50\tp95\tp99\terrors\tretries\tredirects"

// tsvRow is one operation's row as tab-separated values, latencies in
// microseconds so a spreadsheet reads numbers.
func (m *Model) tsvRow(op string) string {
	o := m.last.Ops[op]
	rate := ""
	if r, ok := m.rate(op); ok {
		rate = fmt.Sprintf("%.1f", r)
	}
	us := func(d time.Duration) string { return fmt.Sprint(d.Microseconds()) }
	return strings.Join([]string{op, rate, us(o.Latency.P50()), us(o.Latency.P95()), us(o.Latency.P99()),
		fmt.Sprint(o.Errors), fmt.Sprint(o.Retries), fmt.Sprint(o.Redirects)}, "\t")
}

// CopyTarget implements common.Copyable: the selected operation's row.
func (m *Model) CopyTarget() (what, text string, ok bool) {
	op := m.Selected()
	if op == "" || m.last == nil {
		return "", "", false
	}
	return fmt.Sprintf("stats of %q", op), tsvHeader + "\n" + m.tsvRow(op) + "\n", true
}

// CopyTable implements common.TableCopyable: the operations shown, in the
// table's order, latencies in µs.
func (m *Model) CopyTable() (what, tsv string, ok bool) {
	if m.last == nil || len(m.ops) == 0 {
		return "", "", false
	}
	var b strings.Builder
	b.WriteString(tsvHeader + "\n")
	for _, op := range m.ops {
		b.WriteString(m.tsvRow(op) + "\n")
	}
	return fmt.Sprintf("stats table (%d operations)", len(m.ops)), b.String(), true
}
