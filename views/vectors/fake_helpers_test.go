package vectors

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// fakePaneWithIndex is a 120x40 vectors pane on a fake backend of 64
// shards holding index ns (3 dimensions, euclidean) with vector a = 1 0 0.
func fakePaneWithIndex(t *testing.T, ns string) (*fakebackend.Backend, *Model) {
	t.Helper()
	fb := fakebackend.New(nil, 64)
	cc := uitest.Common()
	cc.Data, cc.TotalShards, cc.Timeout = fb, 64, 10*time.Second
	m := New(cc)
	m.SetSize(120, 40)
	pump(m, m.Init())
	runAction(t, m, typeKeys(m, "N"), ns+" 3 euclidean")
	runAction(t, m, typeKeys(m, "I"), "a 1 0 0")
	return fb, m
}
