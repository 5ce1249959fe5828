package trace

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// CopyTarget implements common.Copyable: the shard trace shown, as plain
// text (one step per line, without colour).
func (m *Model) CopyTarget() (string, string, bool) {
	if m.result == nil {
		return "", "", false
	}
	var b strings.Builder
	for _, l := range m.steps() {
		b.WriteString(strings.TrimRight(ansi.Strip(l), " ") + "\n")
	}
	return fmt.Sprintf("shard trace of %q", m.result.key), b.String(), true
}
