package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// TestDiskFullIsInTheStatusLine: a node whose answer says it cannot write
// its Raft log (a full disk) is a warning in the status line and the
// message log, once, with its reason; a failed poll meanwhile says nothing;
// its first clear answer says "writable again", once. Before, only the
// node's own log said so.
func TestDiskFullIsInTheStatusLine(t *testing.T) {
	m := newRoot(t, 120, 40)
	full := "no space left on device: /data/n2 has 30.0 MiB free, below the 32.0 MiB the Raft log keeps in reserve"
	at := t0
	poll := func(storageErr string, err error) {
		at = at.Add(time.Second)
		var st *client.NodeStatus
		if err == nil {
			st = &client.NodeStatus{NodeID: "n2", StorageError: storageErr}
		}
		send(m, common.NodeStatusMsg{At: at, NodeID: "n2", RTT: time.Millisecond, Status: st, Err: err})
	}
	poll(full, nil)
	line := ansi.Strip(m.statusLine())
	if !strings.Contains(line, "! n2: disk full (no space left on device): it leads no group until it can write") {
		t.Errorf("status line after n2's disk filled: %q", line)
	}
	poll(full, nil)
	poll("", errTest("node status n2: deadline exceeded"))
	poll(full, nil)
	poll("", nil)
	poll("", nil)
	var full1, back int
	for _, e := range m.Messages() {
		full1 += strings.Count(e.Text, "n2: disk full")
		back += strings.Count(e.Text, "n2 storage writable again")
	}
	if full1 != 1 || back != 1 {
		t.Errorf("message log: the full disk %d times, its end %d times, want once each: %v", full1, back, m.Messages())
	}
}
