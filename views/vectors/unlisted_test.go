package vectors

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestIndexesStayWhileANodeIsDown: a listing made while a node is down
// (SIGSTOPped leader of "images") lacks that node's index; the pane keeps it,
// marked as not in the last listing, and keeps it selected. Before, the list
// read "2 indexes" (or "0 indexes" with one index) and the form lost its
// target. With every node back, a listing without it means it is gone.
func TestIndexesStayWhileANodeIsDown(t *testing.T) {
	m := listed(120, 30)
	v := uitest.View(9, 3, 1024, 16)
	m.Update(common.TopologyMsg{At: t0, View: v})
	m.selectNamespace("images")
	down := uitest.View(10, 3, 1024, 16)
	down.Nodes[2].Role, down.Nodes[2].Unreachable = "suspect", true
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: down})
	m.Update(listMsg{at: t0.Add(2 * time.Second), indexes: sampleIndexes()[:2]})
	if len(m.Indexes()) != 3 || m.Namespace() != "images" {
		t.Fatalf("with n3 down the listing lacked images: %d indexes shown, target %q", len(m.Indexes()), m.Namespace())
	}
	view := m.View()
	if !strings.Contains(view, "1 not in the last listing (n3 down)") || !strings.Contains(view, "unlisted") {
		t.Errorf("the kept index is not marked:\n%s", view)
	}
	// n3 back: a whole listing decides.
	m.Update(common.TopologyMsg{At: t0.Add(3 * time.Second), View: uitest.View(11, 3, 1024, 16)})
	m.Update(listMsg{at: t0.Add(4 * time.Second), indexes: sampleIndexes()[:2]})
	if len(m.Indexes()) != 2 || strings.Contains(m.View(), "unlisted") {
		t.Errorf("with every node up, a listing without images means it is gone: %d indexes\n%s", len(m.Indexes()), m.View())
	}
}
