// Package themes holds the console's colour themes and turns a theme into the
// one Styles struct every pane draws with.
package themes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Theme is a named set of colours. Panes never read a Theme directly: they use
// the Styles built from it by NewStyles.
type Theme struct {
	Name string

	Text     lipgloss.Color // body text
	Muted    lipgloss.Color // secondary text, borders, hints
	Accent   lipgloss.Color // active tab, titles, selected rows
	AccentFg lipgloss.Color // text drawn on Accent
	Bar      lipgloss.Color // header and status bar background
	BarText  lipgloss.Color // text on Bar
	OK       lipgloss.Color // healthy, connected
	Warn     lipgloss.Color // suspect, reconnecting, read-only badge
	Error    lipgloss.Color // dead, errors
	Flash    lipgloss.Color // a shard whose leader just moved
	NoLeader lipgloss.Color // a shard without a known leader

	// Nodes colours nodes in the heatmap and the nodes table, by node order.
	Nodes []lipgloss.Color
}

// Dark is the default theme, for dark terminal backgrounds.
func Dark() Theme {
	return Theme{
		Name: "dark", Text: "252", Muted: "244", Accent: "63", AccentFg: "231",
		Bar: "236", BarText: "252", OK: "42", Warn: "214", Error: "203", Flash: "231", NoLeader: "238",
		Nodes: []lipgloss.Color{"39", "170", "78", "214", "141", "209", "45", "190", "205", "111"},
	}
}

// Light is a theme for light terminal backgrounds.
func Light() Theme {
	return Theme{
		Name: "light", Text: "235", Muted: "243", Accent: "26", AccentFg: "231",
		Bar: "253", BarText: "235", OK: "28", Warn: "130", Error: "160", Flash: "16", NoLeader: "250",
		Nodes: []lipgloss.Color{"25", "127", "28", "166", "91", "124", "30", "94", "162", "57"},
	}
}

// HighContrast uses only the 16 basic colours at full intensity.
func HighContrast() Theme {
	return Theme{
		Name: "high-contrast", Text: "15", Muted: "15", Accent: "11", AccentFg: "0",
		Bar: "0", BarText: "15", OK: "10", Warn: "11", Error: "9", Flash: "15", NoLeader: "8",
		Nodes: []lipgloss.Color{"12", "13", "10", "11", "14", "9", "15", "4", "5", "2"},
	}
}

// Names lists the built-in theme names, sorted.
func Names() []string {
	names := []string{Dark().Name, Light().Name, HighContrast().Name}
	sort.Strings(names)
	return names
}

// ByName returns the built-in theme with that name; "" means dark.
func ByName(name string) (Theme, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "dark":
		return Dark(), nil
	case "light":
		return Light(), nil
	case "high-contrast", "highcontrast", "contrast":
		return HighContrast(), nil
	}
	return Theme{}, fmt.Errorf("unknown theme %q: use one of %s", name, strings.Join(Names(), ", "))
}
