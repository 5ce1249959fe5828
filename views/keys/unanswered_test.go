package keys

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// errDial is what a read returns while no node of the cluster answers.
var errDial = errors.New(`norikv: connection to 127.0.0.1:24100 failed: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:24100: connect: connection refused"`)

// Found in tmux with the cluster killed and started again under the
// console: the key opened meanwhile kept its dial error (cut at the pane's
// width) under a header reading "connected" until the user pressed r. Now
// the whole reason is shown, and once a node answers its status poll the
// key is read again by itself.
func TestUnansweredReadIsReadAgainWhenANodeAnswers(t *testing.T) {
	fb, h := oneKeyHarness(t, 80)
	fb.Fail("Get", errDial)
	h.press("enter")
	v := h.m.View()
	if !strings.Contains(v, "connection refused") {
		t.Fatalf("the read's reason is cut:\n%s", v)
	}
	// A node that does not answer its poll changes nothing.
	calls := fb.Calls("Get")
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Err: errDial})
	if fb.Calls("Get") != calls {
		t.Fatal("the key was read again though no node answered")
	}
	// The cluster is back: the first answered poll reads the key again.
	fb.Fail("Get", nil)
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1"}})
	if k, res := h.m.Detail(); string(k) != "user:1" || res == nil || string(res.Value) != "v1" {
		t.Fatalf("after a node answered, detail %q %+v; view:\n%s", k, res, h.m.View())
	}
	if v := h.m.View(); strings.Contains(v, "connection refused") {
		t.Fatalf("the old error is still shown:\n%s", v)
	}
}

// A read that was answered (the key is gone, the server refused it) is not
// repeated by itself, and an unanswered one at most once every
// common.UnansweredRetryEvery while nodes answer (every node's poll each second).
func TestAnsweredReadIsNotRepeatedAndRetriesAreSpaced(t *testing.T) {
	fb, h := oneKeyHarness(t, 80)
	fb.Fail("Get", client.ErrKeyNotFound)
	h.press("enter")
	calls := fb.Calls("Get")
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1"}})
	if fb.Calls("Get") != calls {
		t.Fatal("a key not found was read again by itself")
	}
	fb.Fail("Get", errDial)
	h.press("r")
	calls = fb.Calls("Get")
	for _, id := range []string{"n1", "n2", "n3"} {
		h.send(common.NodeStatusMsg{At: time.Now(), NodeID: id, Status: &client.NodeStatus{NodeID: id}})
	}
	if got := fb.Calls("Get") - calls; got != 1 {
		t.Fatalf("three answered polls within %v read the key %d times, want 1", common.UnansweredRetryEvery, got)
	}
	h.send(common.TickMsg{At: h.m.now.Add(common.UnansweredRetryEvery)})
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1"}})
	if got := fb.Calls("Get") - calls; got != 2 {
		t.Fatalf("a poll %v later read the key %d times in all, want 2", common.UnansweredRetryEvery, got)
	}
}
