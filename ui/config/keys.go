package config

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
)

// Key names in `keys:` are what Bubble Tea calls the keys ("q", "ctrl+w",
// "pgdown", "shift+tab", "f5", "alt+x", " " for space): a binding to any
// other name would never fire.

// namedKeys returns Bubble Tea's names of the non-character keys.
func namedKeys() map[string]bool {
	out := map[string]bool{}
	for i := -300; i < 300; i++ { // KeyType values: control codes and the negative specials
		if s := (tea.Key{Type: tea.KeyType(i)}).String(); s != "" && s != " " && !strings.HasPrefix(s, "runes") {
			out[s] = true
		}
	}
	return out
}

// aliases maps names people write to Bubble Tea's.
func aliases() map[string]string {
	return map[string]string{
		"escape": "esc", "return": "enter", "space": `" " (a quoted space)`, "spacebar": `" " (a quoted space)`,
		"pageup": "pgup", "pagedown": "pgdown", "page-up": "pgup", "page-down": "pgdown", "pgdn": "pgdown",
		"del": "delete", "ins": "insert", "bs": "backspace", "backtab": "shift+tab", "arrowup": "up", "arrowdown": "down",
	}
}

// CheckKeyName reports whether name is a key Bubble Tea can deliver, and
// when not, what to write instead.
func CheckKeyName(name string) error {
	if validKey(name, namedKeys()) {
		return nil
	}
	lower := strings.ToLower(name)
	if a, ok := aliases()[lower]; ok {
		return fmt.Errorf("unknown key %q: write %s", name, a)
	}
	if lower != name && validKey(lower, namedKeys()) {
		return fmt.Errorf("unknown key %q: key names are lower case, write %q", name, lower)
	}
	return fmt.Errorf("unknown key %q: use one character (q, T, ?), ctrl+letter, alt+key, or a key name (enter, esc, tab, shift+tab, up, down, left, right, home, end, pgup, pgdown, delete, backspace, f1-f20)", name)
}

func validKey(name string, named map[string]bool) bool {
	if named[name] {
		return true
	}
	if r, size := utf8.DecodeRuneInString(name); size == len(name) && r != utf8.RuneError && (unicode.IsGraphic(r)) {
		return true // one character, space included
	}
	if rest, ok := strings.CutPrefix(name, "alt+"); ok && rest != "" && !strings.HasPrefix(rest, "alt+") {
		return validKey(rest, named)
	}
	return false
}
