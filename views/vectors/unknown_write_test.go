package vectors

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// runWrite runs the pane's action titled title with arg and returns the
// write's result, failed or not.
func runWrite(t *testing.T, m *Model, title, arg string) common.OpResultMsg {
	t.Helper()
	for _, a := range m.Actions() {
		if a.Title != title {
			continue
		}
		for _, msg := range pump(m, a.Run(arg)) {
			if res, ok := msg.(common.OpResultMsg); ok {
				return res
			}
		}
		t.Fatalf("%s %q: no result", title, arg)
	}
	t.Fatalf("no action %q", title)
	return common.OpResultMsg{}
}

// Found in tmux with two of three serve processes stopped under the
// console: an insert whose answer never came read '✗ insert vector "v2"
// into emb: ... DeadlineExceeded ...' like a refusal, though the leader
// may have committed it. A vector write that was sent and got no answer is
// now said to have an unknown outcome, with what to do; a write the server
// refused is still a plain failure.
func TestVectorWriteWithNoAnswerIsSaidUnknown(t *testing.T) {
	fb, m := fakePaneWithIndex(t, "docs")
	lost := fmt.Errorf("norikv: %w", context.DeadlineExceeded)
	for _, w := range []struct{ op, title, arg, again string }{
		{"VectorInsert", "Insert vector into docs", "b 0 1 0", "f and the id search by it; I again is safe"},
		{"VectorDelete", "Delete vector from docs", "a", "X again is safe"},
		{"VectorCreateIndex", "Create vector index", "more 2 cosine", "r now; N again with the same definition is safe"},
		{"VectorDropIndex", "Drop vector index docs", "", "r now; D again is safe"},
	} {
		fb.Fail(w.op, lost)
		res := runWrite(t, m, w.title, w.arg)
		fb.Fail(w.op, nil)
		if res.Err == nil {
			t.Fatalf("%s with no answer succeeded", w.title)
		}
		text := res.Err.Error()
		if !strings.Contains(text, "outcome unknown, it may have been applied") || !strings.Contains(text, w.again) {
			t.Errorf("%s with no answer: %q does not say the outcome is unknown and what to do", w.title, text)
		}
	}

	fb.Fail("VectorInsert", fmt.Errorf("norikv: vector insert: %w", client.ErrInvalidArgument))
	res := runWrite(t, m, "Insert vector into docs", "c 1 1 0")
	if res.Err == nil || strings.Contains(res.Err.Error(), "unknown") {
		t.Errorf("a refused insert: %v, want a plain failure", res.Err)
	}
}

// On a real cluster: an insert sent while the index's leader is cut off
// from its followers gets no answer before the console's deadline; the
// pane says its outcome is unknown, not that it failed.
func TestVectorInsertCutOffFromItsQuorumIsSaidUnknown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	m, cl := startPaneOnCluster(t)
	pump(m, m.Init())
	runAction(t, m, typeKeys(m, "N"), "docs 3 euclidean")
	runAction(t, m, typeKeys(m, "I"), "a 1 0 0")
	ix, ok := m.index("docs")
	if !ok {
		t.Fatal("docs not listed after its create")
	}

	leader := cl.LeaderOf(uint32(ix.Shard))
	for _, id := range cl.NodeIDs() {
		if id != leader {
			cl.CutLink(leader, id)
		}
	}
	m.common.Timeout = 300 * time.Millisecond
	res := runWrite(t, m, "Insert vector into docs", "b 0 1 0")
	cl.HealAll()
	if res.Err == nil {
		t.Skipf("the insert was answered before the deadline (%s): nothing to check", res.Info)
	}
	if !strings.Contains(res.Err.Error(), "outcome unknown, it may have been applied") {
		t.Fatalf("an insert cut off from its quorum: %v, want its outcome said unknown", res.Err)
	}
}

// Found in tmux with two of three serve processes stopped: for the 4 s an
// insert waited on the cluster, nothing on screen said it had been sent
// (the status line still showed an older warning). The index list's title
// now names each write under way until its answer.
func TestWriteUnderWayIsShownUntilItsAnswer(t *testing.T) {
	_, m := fakePaneWithIndex(t, "docs")
	var insert common.Action
	for _, a := range m.Actions() {
		if a.Title == "Insert vector into docs" {
			insert = a
		}
	}
	cmd := insert.Run("b 0 1 0") // sent: its answer has not come back
	if v := m.View(); !strings.Contains(v, `insert vector "b" into docs: waiting for the cluster…`) {
		t.Fatalf("an insert under way is not shown:\n%s", v)
	}
	pump(m, cmd)
	if v := m.View(); strings.Contains(v, "waiting for the cluster") {
		t.Fatalf("the insert is still shown under way after its answer:\n%s", v)
	}
}

// An import whose batch got no answer says the vectors after those written
// may have been applied, and that loading the file again is safe.
func TestImportWithNoAnswerIsSaidUnknown(t *testing.T) {
	fb, m := fakePaneWithIndex(t, "docs")
	path := filepath.Join(t.TempDir(), "v.csv")
	if err := os.WriteFile(path, []byte("b,0,1,0\nc,0,0,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fb.Fail("VectorInsertMany", fmt.Errorf("norikv: %w", context.DeadlineExceeded))
	res := runWrite(t, m, "Import vectors into docs from a file", path)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "0 of 2 vectors written, then an outcome unknown") ||
		!strings.Contains(res.Err.Error(), "L again loads the file safely") {
		t.Fatalf("an import with no answer: %v", res.Err)
	}
}
