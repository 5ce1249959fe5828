package vectors

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/ui/uitest"
)

// At 160 columns and more the list and the results sit side by side: the
// results get the whole height.
func TestGoldenWide(t *testing.T) {
	m := fed(200, 60)
	v := m.View()
	uitest.RequireSize(t, v, 200, 60)
	uitest.RequirePureView(t, m, m.View)
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[0], "VECTOR INDEXES") || !strings.Contains(lines[0], "RESULTS") {
		t.Fatalf("first line is not list | results:\n%s", lines[0])
	}
	golden.RequireEqual(t, []byte(v))
	narrow := fed(159, 40).View()
	if strings.Contains(strings.Split(narrow, "\n")[0], "RESULTS") {
		t.Fatal("side by side below 160 columns")
	}
}
