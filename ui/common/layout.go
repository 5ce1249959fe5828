package common

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"

	"github.com/charmbracelet/x/ansi"
)

// Fit makes s exactly width columns by height lines: long lines are cut,
// short ones padded with spaces, missing lines added and extra ones dropped.
func Fit(s string, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	var b strings.Builder
	b.Grow((width + 1) * height)
	for i := 0; i < height; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(FitLine(line, width))
	}
	return b.String()
}

// FitLine cuts or pads one line to exactly width columns.
func FitLine(line string, width int) string {
	w := ansi.StringWidth(line)
	if w > width {
		line = ansi.Truncate(line, width, "")
		w = ansi.StringWidth(line)
	}
	if w < width {
		line += strings.Repeat(" ", width-w)
	}
	return line
}

// MinSizer is a pane that needs at least MinSize to draw: the root then
// asks for the terminal size that gives it that much room.
type MinSizer interface {
	MinSize() (width, height int)
}

// TooSmall renders the "terminal too small" notice in a width x height box.
func TooSmall(width, height, minWidth, minHeight int) string {
	msg := "terminal too small"
	if width >= 24 && height >= 2 {
		return Fit(msg+"\nneed "+strconv.Itoa(minWidth)+"x"+strconv.Itoa(minHeight), width, height)
	}
	return Fit(msg, width, height)
}

// Columns joins cells padded to the given widths with one space between,
// cutting cells that are too long (a cut cell ends in "…"). A width of 0
// leaves the cell as is.
func Columns(widths []int, cells ...string) string {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i < len(widths) && widths[i] > 0 {
			if ansi.StringWidth(c) > widths[i] {
				c = ansi.Truncate(c, widths[i], "…") // a cut cell says so
			}
			c = FitLine(c, widths[i])
		}
		b.WriteString(c)
	}
	return b.String()
}

// NewInput returns a text input with a steady cursor: a blinking one would
// redraw the whole console twice a second for nothing.
func NewInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.Cursor.SetMode(cursor.CursorStatic)
	return in
}
