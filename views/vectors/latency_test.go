package vectors

import (
	"testing"

	"github.com/norikv/norikv-console/ui/uitest"
)

// The latency graph draws at every width and tall height with one, two or
// many searches, exactly the pane's size.
func TestLatencyGraphEverySize(t *testing.T) {
	m := fed(80, 40)
	for w := MinWidth; w <= 300; w++ {
		for _, h := range []int{graphMinHeight, 40, 60} {
			m.SetSize(w, h)
			uitest.RequireSize(t, m.View(), w, h)
		}
	}
}
