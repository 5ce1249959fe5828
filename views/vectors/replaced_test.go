package vectors

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A cluster replaced behind the same addresses (restarted without its data)
// has none of the old indexes: the results and latencies of the old
// cluster's searches go, and the index list is read again at once.
func TestClusterReplacedDropsTheOldClustersResults(t *testing.T) {
	fb, m := fakePaneWithIndex(t, "old")
	typeKeys(m, "enter", "1", ",", "0", ",", "0", "enter", "esc")
	if r := m.Result(); r == nil || len(r.Matches) != 1 || m.Samples("old") != 1 {
		t.Fatalf("search before: %+v", r)
	}

	if _, err := fb.VectorDropIndex(context.Background(), "old", nil); err != nil {
		t.Fatal(err)
	}
	pump(m, m.Update(common.TopologyMsg{At: time.Now(), View: uitest.View(2, 3, 64, 4),
		Event: &client.TopologyEvent{PreviousEpoch: 9, CurrentEpoch: 2, Replaced: true, ClusterID: "c2"}}))
	if m.Result() != nil || m.Samples("old") != 0 {
		t.Fatalf("after the cluster was replaced the old cluster's search is still shown: %+v, %d samples", m.Result(), m.Samples("old"))
	}
	if v := m.View(); strings.Contains(v, "RESULTS old") || !strings.Contains(v, "0 indexes") {
		t.Fatalf("after the cluster was replaced:\n%s", v)
	}
}
