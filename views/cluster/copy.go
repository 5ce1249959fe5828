package cluster

import (
	"fmt"
	"strings"
)

// CopyTarget implements common.Copyable: the address of the selected
// shard's leader (the node you would ssh to or point a tool at).
func (m *Model) CopyTarget() (what, text string, ok bool) {
	sh, found := m.shard(m.cursor)
	if !found || m.view == nil {
		return "", "", false
	}
	id := sh.Leader()
	n, found := m.view.Node(id)
	if id == "" || !found || n.Addr == "" {
		return "", "", false
	}
	return fmt.Sprintf("address of %s (leader of shard %d)", id, sh.ID), n.Addr, true
}

// CopyTable implements common.TableCopyable: the nodes table, every node
// matching the filter in the table's order (not only the rows on screen).
func (m *Model) CopyTable() (what, tsv string, ok bool) {
	nodes := m.visibleNodes()
	if len(nodes) == 0 {
		return "", "", false
	}
	var b strings.Builder
	b.WriteString("node\taddress\thealth\tleads\tconnected\trtt_us\n")
	leads := m.leadsShown()
	for _, id := range nodes {
		n, _ := m.view.Node(id)
		conn, rtt := m.connCell(n.Addr), ""
		if _, d, ok := m.rttCell(id); ok {
			rtt = fmt.Sprint(d.Microseconds())
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\t%s\t%s\n", id, n.Addr, n.Role, leads[id], conn, rtt)
	}
	what = fmt.Sprintf("nodes table (%d nodes)", len(nodes))
	if m.travel != nil {
		what = fmt.Sprintf("nodes table at epoch %d (%d nodes)", m.travel.epoch, len(nodes))
	}
	return what, b.String(), true
}
