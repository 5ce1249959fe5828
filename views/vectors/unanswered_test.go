package vectors

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// errDial is what a search returns while no node of the cluster answers.
var errDial = errors.New(`norikv: connection to 127.0.0.1:24101 failed: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:24101: connect: connection refused"`)

func answered(id string) common.NodeStatusMsg {
	return common.NodeStatusMsg{At: time.Now(), NodeID: id, Status: &client.NodeStatus{NodeID: id}}
}

// Found in tmux with the cluster killed and started again under the
// console: the search made meanwhile kept its dial error under a header
// reading "connected". Now the search is run again, as it was sent (a
// recall check stays one), once a node answers its status poll; at most
// once every common.UnansweredRetryEvery, and never for a search that was answered.
func TestUnansweredSearchIsRunAgainWhenANodeAnswers(t *testing.T) {
	fb, m := fakePaneWithIndex(t, "docs")

	fb.Fail("VectorSearch", errDial)
	typeKeys(m, "enter", "1", ",", "0", ",", "0", "enter", "esc")
	if m.result == nil || m.result.err == nil {
		t.Fatalf("search with no node answering: %+v", m.result)
	}
	calls := fb.Calls("VectorSearch")
	pump(m, m.Update(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Err: errDial}))
	if fb.Calls("VectorSearch") != calls {
		t.Fatal("the search ran again though no node answered")
	}
	fb.Fail("VectorSearch", nil)
	pump(m, m.Update(answered("n1")))
	if r := m.Result(); m.result.err != nil || r == nil || len(r.Matches) != 1 || r.Matches[0].ID != "a" {
		t.Fatalf("after a node answered: err %v, result %+v", m.result.err, r)
	}
	if v := m.View(); strings.Contains(v, "search failed") {
		t.Fatalf("the old failure is still shown:\n%s", v)
	}

	// A recall check is run again as a recall check, and retries are spaced.
	fb.Fail("VectorSearch", errDial)
	typeKeys(m, "a")
	if m.result.err == nil {
		t.Fatal("recall check with no node answering did not fail")
	}
	calls = fb.Calls("VectorSearch")
	m.Update(common.TickMsg{At: m.now.Add(common.UnansweredRetryEvery)})
	pump(m, m.Update(answered("n1")))
	pump(m, m.Update(answered("n2")))
	if got := fb.Calls("VectorSearch") - calls; got != 1 {
		t.Fatalf("two answered polls within %v ran the failing search %d times, want 1", common.UnansweredRetryEvery, got)
	}
	fb.Fail("VectorSearch", nil)
	m.Update(common.TickMsg{At: m.now.Add(common.UnansweredRetryEvery)})
	pump(m, m.Update(answered("n3")))
	if rc := m.result.recall; m.result.err != nil || rc == nil {
		t.Fatalf("the recall check run again: err %v, recall %+v", m.result.err, rc)
	}

	// An answered failure is not repeated.
	fb.Fail("VectorSearch", client.ErrUnsupported)
	typeKeys(m, "s")
	calls = fb.Calls("VectorSearch")
	m.Update(common.TickMsg{At: m.now.Add(common.UnansweredRetryEvery)})
	pump(m, m.Update(answered("n1")))
	if fb.Calls("VectorSearch") != calls {
		t.Fatal("a search the server refused ran again by itself")
	}
}
