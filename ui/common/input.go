package common

import (
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/themes"
)

// Input is a one-line text field with the console's one rule for text that
// is already there: a field focused or pre-filled with a value starts with
// that value selected, so typing or pasting replaces it, backspace clears it,
// and a cursor key (← → home end) keeps it for editing (the first ← or →
// only ends the selection, leaving the cursor at the end). Enter takes the value
// as it is. (Appending to a pre-filled "33s" made a TTL of "33s1h".)
type Input struct {
	textinput.Model
	selected bool
	// styles, once set, colour the field at every View: a theme switch
	// reaches fields built before it.
	styles *themes.Styles
}

// selectHint follows selected text so the rule is visible without colour.
const selectHint = "  (typing replaces it, → edits it)"

// NewField returns an empty field with a steady cursor (see NewInput).
func NewField(prompt, placeholder string) Input {
	return Input{Model: NewInput(prompt, placeholder)}
}

// Selected reports whether the value is selected (the next typed text
// replaces it).
func (in *Input) Selected() bool { return in.selected }

// Prefill sets the value and selects it.
func (in *Input) Prefill(s string) {
	in.Model.SetValue(s)
	in.Model.CursorEnd()
	in.selected = s != ""
}

// SetValue sets the value without selecting it: the user typed it (or it is
// the field's own, like a random vector the user asked for and edits next).
func (in *Input) SetValue(s string) {
	in.Model.SetValue(s)
	in.selected = false
}

// Continue sets text the user goes on typing after (a key prefix in a
// new-key form): unselected, the cursor at its end.
func (in *Input) Continue(s string) {
	in.Model.SetValue(s)
	in.Model.CursorEnd()
	in.selected = false
}

// Focus focuses the field and selects the text it holds.
func (in *Input) Focus() tea.Cmd {
	in.Model.CursorEnd()
	in.selected = in.Model.Value() != ""
	return in.Model.Focus()
}

// Blur unfocuses the field; its value stays, unselected.
func (in *Input) Blur() {
	in.selected = false
	in.Model.Blur()
}

// Update handles a key: while the value is selected, typed text replaces
// it, a deleting key clears it and a moving key unselects it. Keys the field
// does not use (enter, tab, esc) leave the selection alone.
func (in Input) Update(msg tea.Msg) (Input, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok && in.selected && in.Model.Focused() {
		switch km.Type {
		case tea.KeyRunes, tea.KeySpace, tea.KeyCtrlV: // ctrl+v: the paste replaces it too
			in.Model.SetValue("")
			in.selected = false
		case tea.KeyBackspace, tea.KeyDelete, tea.KeyCtrlU, tea.KeyCtrlK, tea.KeyCtrlW, tea.KeyCtrlH:
			in.Model.SetValue("")
			in.selected = false
			return in, nil
		case tea.KeyLeft, tea.KeyRight, tea.KeyEnd, tea.KeyCtrlB, tea.KeyCtrlF, tea.KeyCtrlE:
			// The first arrow only ends the selection: the cursor stays at
			// the end of the text, ready to edit it.
			in.selected = false
			return in, nil
		case tea.KeyHome, tea.KeyCtrlA, tea.KeyCtrlLeft, tea.KeyCtrlRight:
			in.selected = false
		default:
			return in, nil
		}
	}
	var cmd tea.Cmd
	in.Model, cmd = in.Model.Update(msg)
	return in, cmd
}

// View draws the field; selected text is drawn in the selection style and
// followed by a reminder of what typing does, when there is room.
func (in Input) View() string {
	if st := in.styles; st != nil { // in is a copy: colouring it changes nothing
		in.Model.PromptStyle, in.Model.TextStyle, in.Model.PlaceholderStyle = st.Accent, st.Text, st.Muted
	}
	if !in.selected || !in.Model.Focused() {
		return in.Model.View()
	}
	text := in.Model.Value()
	w := in.Model.Width
	if w > 0 && ansi.StringWidth(text) > w {
		text = ansi.TruncateLeft(text, ansi.StringWidth(text)-w, "") // the end is shown, like the field
	}
	sel, hint := lipgloss.NewStyle().Reverse(true), lipgloss.NewStyle()
	if in.styles != nil {
		sel, hint = in.styles.Selected, in.styles.Muted
	}
	out := in.Model.PromptStyle.Render(in.Model.Prompt) + sel.Render(text)
	if w <= 0 || ansi.StringWidth(text)+ansi.StringWidth(selectHint) <= w {
		out += hint.Render(selectHint)
	}
	return out
}

// SetStyles colours the field from the console's styles, read at every
// View (so a theme switch reaches it): the prompt in accent, muted
// placeholder and hint, selected text like a selected row.
func (in *Input) SetStyles(st *themes.Styles) { in.styles = st }
