package vectors

import (
	"testing"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A theme switch reaches the form's fields: a pane built under the dark
// theme and switched to light draws exactly like one built under light.
// (Fields copied their colours when built and kept the old ones.)
func TestThemeSwitchReachesTheFields(t *testing.T) {
	build := func(th themes.Theme) *Model {
		c := uitest.Common()
		c.Styles = uitest.ColorStyles(th)
		m := New(c)
		m.SetSize(100, 30)
		press(m, "e", "1", ",", "2")
		return m
	}
	in := build(themes.Dark())
	*in.common.Styles = *uitest.ColorStyles(themes.Light()) // how the root switches, in place
	want := build(themes.Light()).View()
	if got := in.View(); got != want {
		t.Fatalf("after switching in place the view differs from a light-built one")
	}
	fresh := uitest.ColorStyles(themes.HighContrast())
	in.SetStyles(fresh) // or with a new Styles value
	hc := build(themes.HighContrast())
	if got := in.View(); got != hc.View() {
		t.Fatalf("after SetStyles the view differs from a high-contrast-built one")
	}
}
