package keys

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/uitest"
)

// Every field of the new-key form shows what is typed at the minimum size,
// and the CAS editor shows the value being edited.
func TestFormsShowWhatIsTypedAt80x24(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("a")
	h.typeText("user:77")
	h.press("tab")
	h.typeText("90s")
	h.press("tab")
	h.typeText(`{"name": "Lin"}`)
	v := h.m.View()
	for _, want := range []string{"key  user:77", "TTL  90s", `{"name": "Lin"}`} {
		if !strings.Contains(v, want) {
			t.Errorf("80x24 new-key form lacks %q:\n%s", want, v)
		}
	}
	uitest.RequireSize(t, v, 80, 24)

	h = loaded(t, 80, 24)
	h.openDetail(detailOf())
	h.press("e", "end")
	h.typeText("!!")
	if v := h.m.View(); !strings.Contains(v, "!!") {
		t.Errorf("80x24 editor does not show the typed text:\n%s", v)
	}
}

// The TTL field of the new-key form follows the input rule: tabbing back
// into it selects what it holds, so typing replaces it.
func TestNewKeyFormTTLTypingReplaces(t *testing.T) {
	h := loaded(t, 80, 24)
	h.press("a")
	h.typeText("k")
	h.press("tab")
	h.typeText("33s")
	h.press("tab", "shift+tab")
	h.typeText("1h")
	if got := h.m.form.ttlIn.Value(); got != "1h" {
		t.Fatalf("TTL field holds %q, want 1h", got)
	}
}
