package events

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestDiskFullIsNotedOnceAndItsEnd: a node whose reports say it cannot
// write its Raft log (a full disk, NodeStatus storage_error) is noted once
// with the node's reason, however many polls say so; a failed poll in
// between changes nothing; the first clear report is noted once as
// "writable again". Before, the timeline said nothing of it.
func TestDiskFullIsNotedOnceAndItsEnd(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(200, 20)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 64, 4)})
	at := t0
	poll := func(id, storageErr string, err error) {
		at = at.Add(time.Second)
		var st *client.NodeStatus
		if err == nil {
			st = &client.NodeStatus{NodeID: id, StorageError: storageErr}
		}
		m.Update(common.NodeStatusMsg{At: at, NodeID: id, Status: st, Err: err, RTT: time.Millisecond})
	}
	full := "no space left on device: /data/n2 has 30.0 MiB free, below the 32.0 MiB the Raft log keeps in reserve"
	poll("n1", "", nil)
	poll("n2", full, nil)
	poll("n2", full, nil)
	poll("n2", "", errors.New("deadline exceeded"))
	poll("n2", full, nil)
	poll("n2", "", nil)
	poll("n2", "", nil)
	v := m.View()
	want := "n2 disk full (no space left on device): leads no group until it can write (/data/n2 has 30.0 MiB free"
	if n := strings.Count(v, want); n != 1 {
		t.Errorf("the full disk noted %d times, want once (%q):\n%s", n, want, v)
	}
	if n := strings.Count(v, "n2 storage writable again"); n != 1 {
		t.Errorf("its end noted %d times, want once:\n%s", n, v)
	}
	if strings.Contains(v, "n1 disk") || strings.Contains(v, "n1 storage") {
		t.Errorf("news for a node whose disk never filled:\n%s", v)
	}
	if got := len(m.Entries()); got != 3 {
		t.Errorf("%d entries, want the first view, the full disk and its end:\n%s", got, v)
	}
	for _, sz := range uitest.Sizes {
		m.SetSize(sz[0], sz[1])
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
	}
}
