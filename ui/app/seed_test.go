package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/norikv/norikv-console/ui"
)

// TestStartSeedsSampleData: the embedded session holds the sample keys and
// both sample vector indexes, searchable, and the notice says so; in the
// console, the Vectors pane lists them, runs a random query and checks its
// recall against an exact scan.
func TestStartSeedsSampleData(t *testing.T) {
	sess, m := startSession(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	idx, err := sess.Client.ListVectorIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, ix := range idx {
		counts[ix.Namespace] = ix.Count
	}
	if counts[clusteredNS] != clusteredN || counts["demo-embeddings"] != 6 {
		t.Fatalf("indexes %+v", idx)
	}
	q, err := sess.Client.VectorGet(ctx, clusteredNS, "pt:0042")
	if err != nil || len(q) != clusteredDims {
		t.Fatalf("get pt:0042: %v %v", q, err)
	}
	res, err := sess.Client.VectorSearch(ctx, clusteredNS, q, 5, nil)
	if err != nil || len(res.Matches) != 5 || res.Matches[0].ID != "pt:0042" || res.Matches[0].Distance != 0 {
		t.Fatalf("search for pt:0042's own vector: %+v %v", res, err)
	}
	got, err := sess.Client.Get(ctx, []byte("user:1"), nil)
	if err != nil || !strings.Contains(string(got.Value), "Ada") {
		t.Fatalf("user:1: %+v %v", got, err)
	}

	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "connected")
	tm.Type("6")
	waitFor(t, tm, "VECTOR INDEXES", "demo-clustered", "2000", "demo-embeddings")
	tm.Type("x")
	waitFor(t, tm, "RESULTS demo-clustered · 10 matches", "pt:")
	tm.Type("a")
	waitFor(t, tm, "recall@10", "vs an exact scan of the same index (server-confirmed)")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestSeedOwnBudgetPartialThenRetry: a seed whose budget runs out says what
// is missing (it used to say ✓ with 716 of 2000 vectors); running it again
// completes it, reporting progress on the way.
func TestSeedOwnBudgetPartialThenRetry(t *testing.T) {
	sess, _ := startSession(t)
	if _, err := sess.Client.VectorDropIndex(context.Background(), clusteredNS, nil); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	rep := sess.Seed(short, nil)
	cancel()
	if len(rep.Missing) == 0 {
		t.Skip("the whole seed fit in 150ms on this machine; nothing partial to check")
	}
	if !strings.Contains(strings.Join(rep.Missing, "; "), "of 2000 vectors in demo-clustered") {
		t.Fatalf("partial seed report %+v", rep)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ui.SeedBudget)
	defer cancel()
	var last ui.SeedProgress
	steps := 0
	rep = sess.Seed(ctx, func(p ui.SeedProgress) { last, steps = p, steps+1 })
	if len(rep.Missing) > 0 || !strings.Contains(rep.Loaded, "demo-clustered (2000)") || !strings.Contains(rep.Loaded, "8 sample keys") {
		t.Fatalf("retry report %+v", rep)
	}
	if steps < 10 || last.Done != clusteredN || last.Total != clusteredN {
		t.Fatalf("progress: %d reports, last %+v", steps, last)
	}
	idx, err := sess.Client.ListVectorIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range idx {
		if ix.Namespace == clusteredNS && ix.Count != clusteredN {
			t.Fatalf("%s holds %d vectors after the retry", clusteredNS, ix.Count)
		}
	}
}
