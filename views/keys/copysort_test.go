package keys

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

var (
	_ common.Sortable      = (*Model)(nil)
	_ common.Copyable      = (*Model)(nil)
	_ common.TableCopyable = (*Model)(nil)
)

func keyOrder(h *harness) string {
	var out []string
	for _, e := range h.m.Entries() {
		out = append(out, DisplayKey(e.Key))
	}
	return strings.Join(out, " ")
}

func TestSortByColumnIsStableAndSurvivesRefresh(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("down", "down") // config:feature-flags
	cycle := []string{}
	s := common.SortState{}
	for {
		s = common.NextSort(s, h.m.SortColumns())
		if s.Column == "" {
			break
		}
		cycle = append(cycle, s.Column)
	}
	if strings.Join(cycle, ",") != "key,size,version,TTL" {
		t.Fatalf("sort columns: %v", cycle)
	}
	h.m.SetSort(common.SortState{Column: sortSize, Desc: true})
	// 38 B twice: ties keep key order.
	if got := keyOrder(h); got != `config:feature-flags user:1 user:3 user:2 session:7f3a9c cache:homepage lock:nightly-report "\x00\x01bin" counter:visits` {
		t.Fatalf("by size ↓: %s", got)
	}
	if k := h.m.Selected(); string(k) != "config:feature-flags" {
		t.Fatalf("the cursor left its key: %q", k)
	}
	screenHas(t, h, "page sorted by size ↓")
	screenHas(t, h, "SIZE↓")
	h.m.SetSort(common.SortState{Column: sortTTL})
	if got := keyOrder(h); !strings.HasPrefix(got, "lock:nightly-report cache:homepage session:7f3a9c ") {
		t.Fatalf("by TTL: %s", got)
	}
	h.m.SetSort(common.SortState{Column: sortVersion, Desc: true})
	if got := keyOrder(h); !strings.HasPrefix(got, "user:1 session:7f3a9c counter:visits config:feature-flags") {
		t.Fatalf("by version ↓: %s", got)
	}
	// A refresh (a new page read) keeps the sort.
	h.send(pageMsg{reqID: h.m.listReq, at: t0, res: &client.ScanResult{Entries: sampleEntries()}})
	if got := keyOrder(h); !strings.HasPrefix(got, "user:1 session:7f3a9c") || h.m.Sort().Column != sortVersion {
		t.Fatalf("after a refresh: %s (%v)", got, h.m.Sort())
	}
	h.m.SetSort(common.SortState{})
	if got := keyOrder(h); !strings.HasPrefix(got, `"\x00\x01bin" cache:homepage`) {
		t.Fatalf("natural order: %s", got)
	}
	screenHas(t, h, "all keys, in key order")
}

func TestCopyKeyValueAndTable(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("G")
	what, text, ok := h.m.CopyTarget()
	if !ok || what != `key "user:3"` || text != "user:3" {
		t.Fatalf("copy in the list: %q %q %v", what, text, ok)
	}
	what, tsv, ok := h.m.CopyTable()
	lines := strings.Split(strings.TrimSuffix(tsv, "\n"), "\n")
	if !ok || what != "keys table (9 rows)" || len(lines) != 10 || lines[0] != "key\tshard\tsize_bytes\tversion\tttl" {
		t.Fatalf("table: %q %v\n%s", what, ok, tsv)
	}
	if !strings.HasPrefix(lines[2], "cache:homepage\t") || !strings.HasSuffix(lines[2], "\t16\t2/12\t4m12s") {
		t.Fatalf("row: %q", lines[2])
	}
	h.openDetail(detailOf())
	what, text, ok = h.m.CopyTarget()
	if !ok || what != `value of "user:3"` || text != `{"name":"Ada Lovelace","role":"admin"}` {
		t.Fatalf("copy in the detail: %q %q %v", what, text, ok)
	}
	h.openDetail(&client.GetResult{Value: []byte{0, 1, 0xff}, Meta: map[string]string{}})
	if what, text, _ = h.m.CopyTarget(); !strings.HasSuffix(what, " as hex") || text != "00 01 ff" {
		t.Fatalf("binary copy: %q %q", what, text)
	}
	// Nothing loaded: nothing to copy.
	empty := newHarness(t, h.m.common, 80, 24)
	if _, _, ok := empty.m.CopyTarget(); ok {
		t.Fatal("copy with nothing selected")
	}
	if _, _, ok := empty.m.CopyTable(); ok {
		t.Fatal("table copy of an empty list")
	}
	// The tree copies its prefix and its rows.
	tr := treeShown(t, 80, 24)
	if what, text, _ := tr.m.CopyTarget(); what != `prefix "cache:"` || text != "cache:" {
		t.Fatalf("tree copy: %q %q", what, text)
	}
	if _, tsv, _ := tr.m.CopyTable(); !strings.Contains(tsv, "user:\t3\t109\n") {
		t.Fatalf("tree table:\n%s", tsv)
	}
}
