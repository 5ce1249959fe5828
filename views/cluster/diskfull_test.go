package cluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// diskErr is n2's storage_error as the server words it.
const diskErr = "no space left on device: /data/n2 has 30.0 MiB free, below the 32.0 MiB the Raft log keeps in reserve"

// diskFullPane is a 3-node cluster of 4 groups whose n2 reports that its
// disk is full (its own NodeStatus storage_error); its group g1 has moved
// to n3, so n2 leads nothing.
func diskFullPane(w, h int) *Model {
	m := New(uitest.Common())
	m.SetSize(w, h)
	m.Update(common.TickMsg{At: t0})
	moved, ev := uitest.MoveGroup(uitest.View(9, 3, 64, 4), 4, 1, "n3")
	m.Update(common.TopologyMsg{At: t0, View: moved, Event: ev})
	for _, id := range []string{"n1", "n2", "n3"} {
		st := statusOf(id, 64, 4, 5)
		if id == "n2" {
			st.StorageError = diskErr
			for i := range st.Groups {
				st.Groups[i].State = "follower"
			}
		}
		if id == "n3" {
			st.Groups[1].State = "leader"
		}
		m.Update(common.NodeStatusMsg{At: t0, NodeID: id, RTT: time.Millisecond, Status: st})
	}
	return m
}

// TestDiskFullNodeIsShown: a node that reports it cannot write its Raft
// log (a full disk) is shown from its own report: "disk full" in the nodes
// table's HEALTH column, a line under the table saying why, that it leads
// nothing and where writes go, and its replica cells in the groups table;
// at every size the pane draws in. Once its report is clear, all go.
// Before, the pane showed it "alive" with "n2 ok" replicas.
func TestDiskFullNodeIsShown(t *testing.T) {
	m := diskFullPane(120, 40)
	v := m.View()
	if !strings.Contains(v, "n2: disk full (no space left on device): not leading, writes go to n1, n3") {
		t.Errorf("no line says n2's disk is full:\n%s", v)
	}
	row := nodeTableRow(v, "n2")
	if !strings.Contains(row, "disk full") || strings.Contains(row, "alive") {
		t.Errorf("n2's row in the nodes table: %q", row)
	}
	if strings.Contains(v, "n2 ok") || !strings.Contains(v, "n2 disk full") {
		t.Errorf("the groups table shows n2 as an ordinary replica:\n%s", v)
	}
	for _, sz := range append([][2]int{{40, 12}, {44, 20}, {60, 24}, {80, 24}}, uitest.Sizes...) {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			v := diskFullPane(sz[0], sz[1]).View()
			uitest.RequireSize(t, v, sz[0], sz[1])
			if sz[0] >= MinWidth && sz[1] >= MinHeight && !strings.Contains(v, "n2: disk full") {
				t.Errorf("the full disk is not said:\n%s", v)
			}
		})
	}

	// Writable again: its next report is clear.
	m.Update(common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: "n2", RTT: time.Millisecond, Status: statusOf("n2", 64, 4, 5)})
	if v := m.View(); strings.Contains(v, "disk full") {
		t.Errorf("n2 can write again, the pane still says its disk is full:\n%s", v)
	}
}

// TestLeaderlessGroupNamesTheFullDisk: a group without a leader whose
// replica cannot write says so next to "election in progress".
func TestLeaderlessGroupNamesTheFullDisk(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(140, 40)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 1)})
	for _, id := range []string{"n1", "n2", "n3"} {
		st := statusOf(id, 64, 1, 5)
		st.Groups[0].State = "follower"
		if id == "n1" {
			st.StorageError = diskErr
		}
		m.Update(common.NodeStatusMsg{At: t0.Add(2 * time.Second), NodeID: id, RTT: time.Millisecond, Status: st})
	}
	// The view still names n1; every report, newer, says follower.
	if got := m.View(); !strings.Contains(got, "election in progress; n1 disk full (not campaigning)") {
		t.Errorf("leaderless group with n1's disk full:\n%s", got)
	}
}

func nodeTableRow(view, id string) string {
	for _, l := range strings.Split(view, "\n") {
		if f := strings.Fields(l); len(f) > 1 && (f[0] == id || f[1] == id) && strings.Contains(l, "127.0.0.1:") {
			return l
		}
	}
	return ""
}

// TestDiskFullLineTrustsTheReportsOverAStaleView: the view still names n2
// as g1's leader (sent by n2 itself, which cannot apply newer views while
// its disk is full: seen on serve processes, the line read "still leads
// 320 shards (handing them over)" for good) while every node's own report
// says n3 leads g1: the line says n2 leads nothing and writes go to the
// nodes the reports name. While n2's report still says it leads, the
// line says so in groups.
func TestDiskFullLineTrustsTheReportsOverAStaleView(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(140, 40)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 4)}) // g1 led by n2
	report := func(n2Leads bool) {
		for _, id := range []string{"n1", "n2", "n3"} {
			st := statusOf(id, 64, 4, 5)
			switch id {
			case "n2":
				st.StorageError = diskErr
				if !n2Leads {
					st.Groups[1].State = "follower"
				}
			case "n3":
				if !n2Leads {
					st.Groups[1].State = "leader"
				}
			}
			m.Update(common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: id, RTT: time.Millisecond, Status: st})
		}
	}
	report(true)
	if v := m.View(); !strings.Contains(v, "n2: disk full (no space left on device): still leads 1 group (handing them over), writes go to n1, n3") {
		t.Errorf("n2 still leading g1 by its own report:\n%s", v)
	}
	report(false)
	if v := m.View(); !strings.Contains(v, "n2: disk full (no space left on device): not leading, writes go to n1, n3") {
		t.Errorf("n2 leading nothing by its own report, the view behind:\n%s", v)
	}
}
