package common

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
)

// DisplayKey renders a key (or any stored name) for the screen: as is when
// it is printable UTF-8 that terminals draw as wide as the console measures
// it, else Go-quoted with escapes ("\x1b[2J", "👍\U0001f3fd"), which
// strconv.Unquote reads back. Stored bytes never reach the terminal raw: a
// key holding "\x1b[2J" cleared the screen in the TTL pane.
func DisplayKey(k []byte) string {
	s := string(k)
	if isPrintable(s) && !strings.HasPrefix(s, `"`) && TermSafe(s) == s {
		return s
	}
	return TermSafe(strconv.Quote(s))
}

// ParseKey reads a key typed by the user: a Go-quoted string ("\x00ab", as
// DisplayKey shows keys that are not plain text) gives its unquoted bytes,
// anything else is taken literally.
func ParseKey(s string) ([]byte, error) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		u, err := strconv.Unquote(s)
		if err != nil {
			return nil, fmt.Errorf("key %s: bad escape in a quoted key (write e.g. \"user:\\x00\"): %w", s, err)
		}
		s = u
	}
	if s == "" {
		return nil, fmt.Errorf("type a key: keys are 1..1024 bytes")
	}
	if len(s) > 1024 {
		return nil, fmt.Errorf("key is %d bytes: keys are at most 1024 bytes", len(s))
	}
	return []byte(s), nil
}

// isPrintable reports whether s is valid UTF-8 without control characters.
func isPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// TermSafe escapes the characters of s that terminals draw wider or
// narrower than the console measures them, so what is padded to fit a
// column fits it on the screen. The console measures a grapheme cluster as
// a whole ("👍🏽" is 2 columns, "❤️" 2); terminals do not agree with it or
// with each other (tmux draws "👍🏽" in 4 columns and "❤️" in 1; others add
// up each code point), so a line padded to the width wrapped, scrolled the
// screen by a line and left the old frame's rows behind. Only clusters all
// of them draw alike are kept: one character, a character with accents
// (nonspacing marks), a flag (two regional indicators). In any other
// cluster (skin tones, variation selectors, keycaps, joiners, conjoining
// jamo) the first character is kept when it measures the same alone and
// the rest are written as \u/\U escapes. Text without such clusters (ASCII,
// CJK, single emoji, accented letters) is returned unchanged.
func TermSafe(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	changed := false
	for i < len(s) {
		if s[i] < utf8.RuneSelf { // measured alone, as ansi.StringWidth does
			if changed {
				b.WriteByte(s[i])
			}
			i++
			continue
		}
		c, _ := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		if c == "" {
			c = s[i : i+1]
		}
		if drawnAlike(c) {
			if changed {
				b.WriteString(c)
			}
			i += len(c)
			continue
		}
		if !changed {
			changed = true
			b.Grow(len(s) + 16)
			b.WriteString(s[:i])
		}
		for j, r := range c {
			if j == 0 && r != utf8.RuneError && runewidth.RuneWidth(r) > 0 && ansi.StringWidth(string(r)) == runewidth.RuneWidth(r) {
				b.WriteRune(r)
				continue
			}
			b.WriteString(escapeRune(r))
		}
		i += len(c)
	}
	if !changed {
		return s
	}
	return b.String()
}

// drawnAlike reports whether every terminal draws the grapheme cluster c as
// wide as the console measures it.
func drawnAlike(c string) bool {
	first, n := utf8.DecodeRuneInString(c)
	if first == utf8.RuneError && n <= 1 {
		return false
	}
	rest := c[n:]
	if isRegionalIndicator(first) && rest != "" {
		second, m := utf8.DecodeRuneInString(rest)
		return isRegionalIndicator(second) && m == len(rest) &&
			ansi.StringWidth(c) == runewidth.RuneWidth(first)+runewidth.RuneWidth(second)
	}
	w := runewidth.RuneWidth(first)
	if ansi.StringWidth(c) != w {
		return false
	}
	if rest == "" {
		return true
	}
	if w == 0 {
		return false
	}
	for _, r := range rest {
		if !unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Variation_Selector, r) {
			return false
		}
	}
	return true
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

func escapeRune(r rune) string {
	if r < 0x10000 {
		return fmt.Sprintf(`\u%04x`, r)
	}
	return fmt.Sprintf(`\U%08x`, r)
}
