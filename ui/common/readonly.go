package common

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// ErrReadOnly refuses a write on a read-only profile (--read-only or the
// profile's read_only).
var ErrReadOnly = errors.New("read-only profile: writes and cluster operations are disabled (start without --read-only)")

// ReadOnlyNote ends the help text of a write key on a read-only profile;
// help draws such entries dimmed.
const ReadOnlyNote = " (read-only: off)"

// IsReadOnlyHelp reports whether a help description is a write key turned
// off by a read-only profile.
func IsReadOnlyHelp(desc string) bool { return strings.HasSuffix(desc, ReadOnlyNote) }

// WriteKey returns a write key's binding as help should show it: marked off
// on a read-only profile. The binding still matches, so pressing it says
// why nothing happens.
func (c Common) WriteKey(b key.Binding) key.Binding {
	if !c.ReadOnly {
		return b
	}
	h := b.Help()
	b.SetHelp(h.Key, h.Desc+ReadOnlyNote)
	return b
}

// WriteKeys applies WriteKey to each binding.
func (c Common) WriteKeys(bs ...key.Binding) []key.Binding {
	out := make([]key.Binding, len(bs))
	for i, b := range bs {
		out[i] = c.WriteKey(b)
	}
	return out
}

// WriteAction marks a as a write: on a read-only profile it is Disabled, so
// the palette shows it dimmed and refuses it before any prompt.
func (c Common) WriteAction(a Action) Action {
	if c.ReadOnly {
		a.Disabled = ErrReadOnly
	}
	return a
}

// Refuse reports op refused for err (ErrReadOnly, ...) before anything
// was asked or sent.
func Refuse(op string, err error) tea.Cmd {
	return MsgCmd(OpResultMsg{Op: op, Err: fmt.Errorf("%s: %w", op, err)})
}
