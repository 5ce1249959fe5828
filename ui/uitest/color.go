package uitest

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/norikv/norikv-console/themes"
)

// ColorStyles returns theme t's styles rendered in true colour, for tests
// that check which colours a view uses (a theme switch reaching a field).
func ColorStyles(t themes.Theme) *themes.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	return themes.NewStyles(t, r)
}
