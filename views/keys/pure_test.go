package keys

import (
	"testing"

	"github.com/norikv/norikv-console/ui/uitest"
)

// View draws only: the list offset and the detail's lines and scroll are
// fixed by Update and SetSize (they were written inside View).
func TestViewIsPure(t *testing.T) {
	h := loaded(t, 80, 12)
	h.press("end")
	uitest.RequirePureView(t, h.m, h.m.View)
	h.openDetail(detailOf())
	h.press("pgdown")
	uitest.RequirePureView(t, h.m, h.m.View)
	h.m.SetSize(50, 10) // a new width: the value's lines are re-rendered by SetSize
	uitest.RequirePureView(t, h.m, h.m.View)
}
