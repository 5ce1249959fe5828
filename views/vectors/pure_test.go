package vectors

import (
	"testing"

	"github.com/norikv/norikv-console/ui/uitest"
)

// View draws only: the results page size and scroll are fixed by Update and
// SetSize (they were written inside View).
func TestViewIsPure(t *testing.T) {
	m := fed(80, 24)
	press(m, "down")
	uitest.RequirePureView(t, m, m.View)
}
