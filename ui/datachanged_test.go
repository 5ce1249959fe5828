package ui

import (
	"context"
	"testing"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/ops"
)

// After seeding and after a palette put the root tells the panes that data
// changed, and the lists read again (the keys pane listed 3 of 8 sample
// keys: its first scan ran before the seed).
func TestSeedAndPalettePutMakeListsReadAgain(t *testing.T) {
	fb := fakebackend.New(nil, 1024)
	m := newRoot(t, 120, 40, func(c *common.Common) { c.Data = fb })
	scans := fb.Calls("Scan")
	send(m, seedDoneMsg{r: SeedReport{Loaded: "8 sample keys"}})
	if fb.Calls("Scan") == scans {
		t.Fatal("no pane read its list again after the seed")
	}
	scans = fb.Calls("Scan")
	send(m, ops.WriteResult{OpResultMsg: common.OpResultMsg{Op: "put k"}})
	if fb.Calls("Scan") == scans {
		t.Fatal("no pane read its list again after a palette put")
	}
	scans = fb.Calls("Scan")
	send(m, ops.WriteResult{OpResultMsg: common.OpResultMsg{Op: "put k", Err: context.Canceled}})
	if fb.Calls("Scan") != scans {
		t.Fatal("a failed put made the lists read again")
	}
}
