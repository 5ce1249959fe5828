package headless

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestVectorCommands: index create, insert (arguments with negative numbers,
// a JSON array, stdin), search by vector and by id, list, drop.
func TestVectorCommands(t *testing.T) {
	n := nodesFlag()
	if out := must(t, "", "index", "create", "cli-docs", "3", "cosine", "--m", "8", "-o", "table", n); !strings.Contains(out, "created index cli-docs") {
		t.Fatalf("create printed %q", out)
	}
	if out := must(t, "", "index", "create", "cli-docs", "3", "cosine", "--m", "8", "-o", "table", n); !strings.Contains(out, "already exists") {
		t.Fatalf("second create printed %q", out)
	}
	must(t, "", "insert", "cli-docs", "cats", "0.9", "0.1", "0", n)
	must(t, "", "insert", "cli-docs", "dogs", "[0.8, 0.2, 0.1]", n)
	must(t, "", "insert", "cli-docs", "stocks", "-0.1,0.9,0.3", n)
	must(t, "0.0 0.8 0.4\n", "insert", "cli-docs", "bonds", "-", n)

	var list indexList
	if err := json.Unmarshal([]byte(must(t, "", "index", "list", n)), &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ix := range list.Indexes {
		if ix.Namespace == "cli-docs" {
			found = ix.Dimensions == 3 && ix.Distance == "cosine" && ix.Type == "hnsw" && ix.Vectors == 4
		}
	}
	if !found {
		t.Fatalf("index list %+v: want cli-docs, 3 dims, cosine, hnsw, 4 vectors", list)
	}

	var res searchResult
	if err := json.Unmarshal([]byte(must(t, "", "search", "cli-docs", "--id", "cats", "-k", "2", "--exact", n)), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 2 || res.Matches[0].ID != "cats" || res.Matches[1].ID != "dogs" || !res.Exact {
		t.Fatalf("search --id cats: %+v, want cats then dogs, exact", res)
	}
	for _, f := range []string{"table", "json"} {
		t.Run("search "+f, func(t *testing.T) {
			out := must(t, "", "search", "cli-docs", "0.1,0.9,0.35", "-k", "3", "--exact", "-o", f, n)
			golden.RequireEqual(t, normalize(out, f == "table"))
		})
	}

	if r := run(t, "", "insert", "cli-docs", "bad", "1,2", n); r.code != ExitInvalid {
		t.Fatalf("a 2-value vector in a 3-dim index: exit %d (%s), want %d", r.code, r.stderr, ExitInvalid)
	}
	if r := run(t, "", "insert", "cli-docs", "bad", "1,x,2", n); r.code != ExitInvalid || !strings.Contains(r.stderr, "not a number") {
		t.Fatalf("a non-number: exit %d (%s), want %d", r.code, r.stderr, ExitInvalid)
	}
	if r := run(t, "", "search", "cli-docs", "--id", "nope", n); r.code != ExitNotFound {
		t.Fatalf("search --id of a missing vector: exit %d (%s), want %d", r.code, r.stderr, ExitNotFound)
	}
	must(t, "", "index", "drop", "cli-docs", n)
	if r := run(t, "", "index", "drop", "cli-docs", n); r.code != ExitNotFound {
		t.Fatalf("dropping a missing index: exit %d (%s), want %d", r.code, r.stderr, ExitNotFound)
	}
}
