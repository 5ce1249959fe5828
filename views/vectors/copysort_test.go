package vectors

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

func namespaces(m *Model) string {
	var out []string
	for _, ix := range m.visible() {
		out = append(out, ix.Namespace)
	}
	return strings.Join(out, " ")
}

func TestSortByCountAndSizeKeepsSelectionAndSurvivesRefresh(t *testing.T) {
	m := listed(80, 24)
	press(m, "down", "down") // images
	m.SetSort(common.SortState{Column: "size", Desc: true})
	if got := namespaces(m); got != "images docs docs-exact" {
		t.Fatalf("size desc: %q", got)
	}
	if m.Namespace() != "images" || m.cursor != 0 {
		t.Fatalf("selection moved: %q at %d", m.Namespace(), m.cursor)
	}
	m.Update(listMsg{at: t0.Add(5 * time.Second), indexes: sampleIndexes()})
	if got := namespaces(m); got != "images docs docs-exact" {
		t.Fatalf("after a refresh: %q", got)
	}
	m.SetSort(common.SortState{Column: "count"})
	if got := namespaces(m); got != "docs docs-exact images" { // ties keep the namespace order
		t.Fatalf("count asc: %q", got)
	}
	if !strings.Contains(m.View(), "sort: count ↑") {
		t.Fatalf("sort not shown:\n%s", m.View())
	}
}

func TestCopyNamespaceIDAndTables(t *testing.T) {
	m := listed(80, 24)
	if what, text, ok := m.CopyTarget(); !ok || text != "docs" || what != `namespace "docs"` {
		t.Fatalf("%q %q %v", what, text, ok)
	}
	_, tsv, _ := m.CopyTable()
	if lines := strings.Split(strings.TrimSpace(tsv), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[1], "docs\t3\t") {
		t.Fatalf("index tsv:\n%s", tsv)
	}
	m.result = &searchMsg{res: &client.VectorSearchResult{Matches: matches(3)}}
	_, text, _ := m.CopyTarget()
	if text != matches(3)[0].ID {
		t.Fatalf("copy with results: %q", text)
	}
	what, tsv, _ := m.CopyTable()
	if !strings.HasPrefix(what, "search results (3 rows)") || !strings.HasPrefix(tsv, "rank\tid\tdistance\n1\t") {
		t.Fatalf("%q\n%s", what, tsv)
	}
}
