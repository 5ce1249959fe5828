package keys

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// Found in tmux with two of three serve processes stopped: a delete of the
// key shown went unanswered; the status line said its outcome was unknown,
// but the detail kept the value as read before, with nothing on it, and
// once the status line was cleared (any key) or the cluster came back,
// nothing said the key shown might be gone. Now the detail says the last
// write's outcome is unknown, and reads the key again by itself once a
// node answers (the truth: here, the delete was applied).
func TestDetailAfterAnUnknownWriteSaysSoAndIsReadAgain(t *testing.T) {
	fb, h := scannedHarness(t, 120, 24, "acct:1", "v1")
	h.press("enter")
	if k, res := h.m.Detail(); string(k) != "acct:1" || res == nil {
		t.Fatalf("detail %q %+v", k, res)
	}
	fb.LoseAnswer("Delete", errLostAnswer) // applied, its answer lost
	h.press("d")
	h.run(h.lastAction().Run(""))
	if r := h.lastResult(); r.Err == nil || !strings.Contains(r.Err.Error(), "outcome unknown") {
		t.Fatalf("lost delete answer: %q %v", r.Info, r.Err)
	}
	fb.LoseAnswer("Delete", nil)
	if v := h.m.View(); !strings.Contains(v, "the last write's outcome is unknown") {
		t.Fatalf("the detail does not say its key's last write has an unknown outcome:\n%s", v)
	}
	// No node answers yet: nothing is read.
	calls := fb.Calls("Get")
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Err: errDial})
	if fb.Calls("Get") != calls {
		t.Fatal("the key was read again though no node answered")
	}
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1"}})
	if _, res := h.m.Detail(); res != nil {
		t.Fatalf("after a node answered the detail still holds %q (the delete was applied)", res.Value)
	}
	v := h.m.View()
	if strings.Contains(v, "outcome is unknown") || strings.Contains(v, "v1") {
		t.Fatalf("after the key was read again:\n%s", v)
	}
	// Settled: no further reads by themselves.
	calls = fb.Calls("Get")
	h.send(common.TickMsg{At: h.m.now.Add(common.UnansweredRetryEvery)})
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1"}})
	if fb.Calls("Get") != calls {
		t.Fatal("a key read again after its unknown write is read yet again")
	}
}

// On a real cluster: a delete sent while the key's leader is cut off from
// its followers gets no answer before the console's deadline. Once the
// links heal and a node answers its status poll, the detail reads the key
// again by itself and shows what the cluster holds (the key, or that it is
// gone), without the user thinking of r.
func TestDetailAfterAnUnknownDeleteOnARealClusterShowsTheTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	cl, c := startClusterAndClient(t)
	const k = "acct:9"
	put(t, c, k, "balance 5", nil)
	com := uitest.Common()
	com.Client, com.TotalShards, com.Timeout = c, flowShards, 10*time.Second
	h := newHarness(t, com, 120, 40)
	h.send(common.TopologyMsg{At: time.Now(), View: c.ClusterView()})
	h.press("r", "enter")
	if key, res := h.m.Detail(); string(key) != k || res == nil {
		t.Fatalf("detail %q %+v (results %+v)", key, res, h.results)
	}

	leader := cl.LeaderOf(uint32(client.ShardForKey([]byte(k), flowShards)))
	for _, id := range cl.NodeIDs() {
		if id != leader {
			cl.CutLink(leader, id)
		}
	}
	h.m.common.Timeout = 300 * time.Millisecond
	h.press("d")
	h.run(h.lastAction().Run(""))
	cl.HealAll()
	h.m.common.Timeout = 10 * time.Second
	if r := h.lastResult(); r.Err == nil || !strings.Contains(r.Err.Error(), "outcome unknown") {
		t.Skipf("the delete was answered before the deadline: %q %v", r.Info, r.Err)
	}
	if v := h.m.View(); !strings.Contains(v, "the last write's outcome is unknown") {
		t.Fatalf("the detail does not say the delete's outcome is unknown:\n%s", v)
	}
	// Whatever became of the delete, the detail ends up showing it.
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		h.send(common.TickMsg{At: h.m.now.Add(common.UnansweredRetryEvery)})
		h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1"}})
		got, err := get(t, c, k)
		_, res := h.m.Detail()
		v := h.m.View()
		settled := !strings.Contains(v, "outcome is unknown")
		switch {
		case settled && errors.Is(err, client.ErrKeyNotFound) && res == nil:
			t.Logf("the delete was applied; the detail shows the key gone")
			return
		case settled && err == nil && res != nil && res.Version == got.Version:
			t.Logf("the delete was not applied; the detail shows the key at %s", FormatVersion(got.Version))
			return
		case time.Now().After(end):
			t.Fatalf("the detail did not get back to the cluster's key (get: %v): %+v\n%s", err, res, v)
		}
	}
}
