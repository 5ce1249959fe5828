package vectors

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// The vectors pane's whole flow (create, insert, search, exact, recall,
// sweep, similar, delete, import, drop) on the in-memory backend: the same
// steps as the embedded-cluster flow, in milliseconds.
func TestFlowCreateInsertSearchOnTheFakeBackend(t *testing.T) {
	cc := uitest.Common()
	cc.Data, cc.TotalShards, cc.Timeout = fakebackend.New(nil, 64), 64, 10*time.Second
	m := New(cc)
	m.SetSize(120, 40)
	vectorFlow(t, m)
}
