package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Wrap breaks plain text into lines of at most width columns at spaces;
// a word longer than width is cut across lines. It never returns no lines.
func Wrap(s string, width int) []string {
	if width <= 0 {
		return []string{""}
	}
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		for ansi.StringWidth(word) > width { // a word wider than a line
			if line != "" {
				out, line = append(out, line), ""
			}
			out = append(out, ansi.Truncate(word, width, ""))
			word = ansi.TruncateLeft(word, width, "")
		}
		switch {
		case word == "":
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= width:
			line += " " + word
		default:
			out, line = append(out, line), word
		}
	}
	if line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}
