package node_test

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/transport"
)

// TestOlderPeersAnswerWithoutCounts: a node started on a new data dir
// whose peers run a version from before the layout check. Their
// replication ports answer every control call the way those versions
// did: a reply without the fields they do not know ("{}"), here for the
// layout question. Before, such an answer was taken for no answer: the
// node asked each peer again every second for as long as it ran and
// never said why. Now it says once per peer that it cannot check its
// counts against it, and stops asking it.
func TestOlderPeersAnswerWithoutCounts(t *testing.T) {
	l := topology.Layout{TotalShards: 8, Groups: 4}
	cls, rls := listenNodes(t, &l, 3)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	resolve := func(addr string) (string, bool) {
		nd, ok := l.NodeByRaftAddr(addr)
		return nd.ID, ok
	}
	var asked atomic.Int64 // layout questions the older peers got
	for i := 0; i < 2; i++ {
		_ = cls[i].Close()
		m := transport.New(l.Nodes[i].ID, rls[i], resolve, nil)
		m.HandleControl(func(_ string, req []byte) []byte {
			if bytes.Contains(req, []byte(`"layout"`)) {
				asked.Add(1)
			}
			return []byte("{}")
		})
		t.Cleanup(func() { _ = m.Close() })
	}
	logs := &syncBuffer{}
	x, err := node.Start(node.Config{Layout: l, NodeID: "n3", DataDir: t.TempDir(), ClientListener: cls[2], RaftListener: rls[2], LogOutput: logs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })

	const says = "answers without its counts (an older version)"
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(logs.String(), says) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s n3 has not said that n1 and n2 answer without counts (asked %d times); its log: %q", asked.Load(), logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, id := range []string{"n1", "n2"} {
		if n := strings.Count(logs.String(), "against "+id+": "+id+" "+says); n != 1 {
			t.Errorf("n3 said %d times that %s answers without counts (want once); its log: %q", n, id, logs.String())
		}
	}
	// It does not go on asking (the old code asked every second).
	before := asked.Load()
	time.Sleep(2500 * time.Millisecond)
	if after := asked.Load(); after != before {
		t.Errorf("n3 asked its older peers for their counts %d more times after they answered without them", after-before)
	}
	t.Logf("n3: %s", strings.TrimSpace(logs.String()))
}
