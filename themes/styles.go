package themes

import (
	"io"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is every style the console draws with, built in one place from a
// Theme. Panes take a *Styles and never build themed styles inline.
type Styles struct {
	Theme Theme
	// Color is false when the terminal shows no colour (NO_COLOR, a dumb
	// terminal, or the ASCII profile in tests); panes then draw with glyphs
	// that carry the meaning colour would.
	Color bool

	Header      lipgloss.Style
	HeaderTitle lipgloss.Style
	Badge       lipgloss.Style // READ-ONLY
	StateOK     lipgloss.Style
	StateWarn   lipgloss.Style
	StateError  lipgloss.Style

	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	TabBar      lipgloss.Style

	Status      lipgloss.Style
	StatusError lipgloss.Style
	StatusKey   lipgloss.Style
	StatusDesc  lipgloss.Style

	Title       lipgloss.Style // section titles inside panes
	Text        lipgloss.Style
	Muted       lipgloss.Style
	Accent      lipgloss.Style
	OK          lipgloss.Style
	Warn        lipgloss.Style
	Error       lipgloss.Style
	TableHeader lipgloss.Style
	Selected    lipgloss.Style // the selected row or item

	Overlay      lipgloss.Style // help and palette boxes
	OverlayTitle lipgloss.Style
	HelpKey      lipgloss.Style
	HelpDesc     lipgloss.Style
	Match        lipgloss.Style // fuzzy-matched characters

	Nodes    []lipgloss.Style // heatmap cells and node names, by node order
	NoLeader lipgloss.Style
	Cursor   lipgloss.Style
	Flash    lipgloss.Style
}

// NoColor reports whether the environment asks for no colour (NO_COLOR set
// to any non-empty value, see no-color.org).
func NoColor() bool { return os.Getenv("NO_COLOR") != "" }

// NewRenderer returns a renderer for out, forced to plain ASCII when noColor.
func NewRenderer(out io.Writer, noColor bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(out)
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
	return r
}

// NewStyles builds the Styles of theme t for renderer r.
func NewStyles(t Theme, r *lipgloss.Renderer) *Styles {
	ns := r.NewStyle
	s := &Styles{Theme: t, Color: r.ColorProfile() != termenv.Ascii}

	s.Header = ns().Background(t.Bar).Foreground(t.BarText)
	s.HeaderTitle = ns().Background(t.Bar).Foreground(t.Accent).Bold(true)
	s.Badge = ns().Background(t.Warn).Foreground(t.AccentFg).Bold(true)
	s.StateOK = ns().Background(t.Bar).Foreground(t.OK)
	s.StateWarn = ns().Background(t.Bar).Foreground(t.Warn).Bold(true)
	s.StateError = ns().Background(t.Bar).Foreground(t.Error).Bold(true)

	s.TabActive = ns().Foreground(t.AccentFg).Background(t.Accent).Bold(true)
	s.TabInactive = ns().Foreground(t.Muted)
	s.TabBar = ns()

	s.Status = ns().Background(t.Bar).Foreground(t.BarText)
	s.StatusError = ns().Background(t.Bar).Foreground(t.Error).Bold(true)
	s.StatusKey = ns().Background(t.Bar).Foreground(t.Accent).Bold(true)
	s.StatusDesc = ns().Background(t.Bar).Foreground(t.Muted)

	s.Title = ns().Foreground(t.Accent).Bold(true)
	s.Text = ns().Foreground(t.Text)
	s.Muted = ns().Foreground(t.Muted)
	s.Accent = ns().Foreground(t.Accent)
	s.OK = ns().Foreground(t.OK)
	s.Warn = ns().Foreground(t.Warn)
	s.Error = ns().Foreground(t.Error)
	s.TableHeader = ns().Foreground(t.Muted).Bold(true)
	s.Selected = ns().Foreground(t.AccentFg).Background(t.Accent)

	s.Overlay = ns().Border(lipgloss.RoundedBorder()).BorderForeground(t.Accent).Padding(0, 1)
	s.OverlayTitle = ns().Foreground(t.Accent).Bold(true)
	s.HelpKey = ns().Foreground(t.Accent).Bold(true)
	s.HelpDesc = ns().Foreground(t.Text)
	s.Match = ns().Foreground(t.Warn).Underline(true)

	for _, c := range t.Nodes {
		s.Nodes = append(s.Nodes, ns().Foreground(c))
	}
	s.NoLeader = ns().Foreground(t.NoLeader)
	s.Cursor = ns().Reverse(true).Bold(true)
	s.Flash = ns().Foreground(t.Flash).Bold(true).Blink(false)
	return s
}

// Node returns the style of the i-th node (by node order), cycling the palette.
func (s *Styles) Node(i int) lipgloss.Style {
	if i < 0 || len(s.Nodes) == 0 {
		return s.NoLeader
	}
	return s.Nodes[i%len(s.Nodes)]
}
