package keys

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
)

// Lines the editor and the form draw around their text area.
const (
	editorChrome = 3 // title, TTL or conflict line, hints
	formChrome   = 5 // title, key, TTL, value label, hints
)

// editor edits a loaded value; saving is a compare-and-swap against base.
type editor struct {
	key      []byte
	base     client.Version
	expires  time.Time // kept on save
	hex      bool      // the value is edited as hex digits
	area     textarea.Model
	conflict *conflict
	err      error

	// After a conflict: the value as read (the merge's base), theirs as
	// read after the conflict, and the merge once asked for.
	orig      []byte
	theirs    *client.GetResult
	theirsErr error
	merge     *mergeResult
	mcur      int // the merge's selected conflict
	scroll    int // the comparison's first row
	// cmp is the comparison, built once their value is read (yours does
	// not change while it is shown).
	cmp *comparison
}

// newForm is the new-key form: key, optional TTL, value.
type newForm struct {
	keyIn, ttlIn common.Input
	area         textarea.Model
	focus        int // 0 key, 1 TTL, 2 value
	// exists is the version found when a put was refused because the key
	// exists; saving again overwrites that version (compare-and-swap).
	exists    *client.Version
	existsKey []byte
	err       error
}

// newArea returns a text area in the theme's styles, with a steady cursor
// and no line limit beyond the component's own.
func newArea(st *themes.Styles) textarea.Model {
	a := textarea.New()
	a.ShowLineNumbers = false
	a.Prompt = ""
	a.CharLimit = 0
	a.MaxHeight = 0
	a.MaxWidth = 0
	a.Cursor.SetMode(cursor.CursorStatic)
	styleArea(&a, st)
	return a
}

// styleArea colours a text area from the theme's styles.
func styleArea(a *textarea.Model, st *themes.Styles) {
	s := textarea.Style{Base: st.Text, CursorLine: st.Text, Text: st.Text, Placeholder: st.Muted, EndOfBuffer: st.Muted,
		LineNumber: st.Muted, CursorLineNumber: st.Muted, Prompt: st.Muted}
	a.FocusedStyle, a.BlurredStyle = s, s
}

// areaView draws a text area in the current theme: the area copied its
// styles when built, and the theme may have changed since.
func (m *Model) areaView(a textarea.Model) string {
	styleArea(&a, m.common.Styles)
	return a.View()
}

// startEdit opens the editor on the detail key's loaded value.
func (m *Model) startEdit() tea.Cmd {
	t, ok := m.detailTarget()
	if !ok {
		return nil
	}
	op := "edit " + DisplayKey(t.key)
	if m.common.ReadOnly {
		return refuse(op, ops.ErrReadOnly)
	}
	e := &editor{key: t.key, base: t.version, expires: t.expires, area: newArea(m.common.Styles), orig: t.value}
	text, err := e.load(t.value)
	if err != nil {
		return refuse(op, err)
	}
	e.area.SetValue(text)
	if !e.hex && e.area.Value() != text {
		// The text area changed the text (it expands tabs and drops control
		// characters): saving would change the value, so edit it as hex.
		e.hex = true
		if text, err = e.load(t.value); err != nil {
			return refuse(op, err)
		}
		e.area.SetValue(text)
	}
	e.setSize(m.width, m.height)
	m.edit, m.mode = e, modeEdit
	cmd := e.area.Focus()
	e.area, _ = e.area.Update(tea.KeyMsg{Type: tea.KeyCtrlHome}) // to the top
	return cmd
}

// load returns the text the editor shows for v, as hex digits when e.hex is
// set or v is binary, or an error when it is too big to edit here.
func (e *editor) load(v []byte) (string, error) {
	if len(v) > maxEditBytes {
		return "", fmt.Errorf("the value is %s: the editor opens values up to %s", FormatSize(uint64(len(v))), FormatSize(maxEditBytes))
	}
	e.hex = e.hex || kindOf(v) == kindBinary
	text, as := string(v), "text"
	if e.hex {
		text, as = toHexText(v), "hex digits"
	}
	if n := strings.Count(text, "\n") + 1; n > maxEditLines {
		return "", fmt.Errorf("the value is %d lines as %s: the editor opens up to %d lines (binary values up to %s)",
			n, as, maxEditLines, FormatSize(maxEditLines*hexBytesPerLine))
	}
	return text, nil
}

func (e *editor) setSize(w, h int) {
	e.area.SetWidth(max(1, w))
	e.area.SetHeight(max(1, h-editorChrome))
}

// value returns the edited bytes.
func (e *editor) value() ([]byte, error) {
	if e.hex {
		return parseHexText(e.area.Value())
	}
	return []byte(e.area.Value()), nil
}

func (m *Model) onEditKey(msg tea.KeyMsg) tea.Cmd {
	e, k := m.edit, m.keys
	if e.comparing() && !key.Matches(msg, k.Reload) && !key.Matches(msg, k.Overwrite) && (e.merge != nil || !key.Matches(msg, k.Cancel)) {
		return m.onCompareKey(msg)
	}
	switch {
	case key.Matches(msg, k.Cancel):
		m.edit, m.mode = nil, modeDetail
		return nil
	case key.Matches(msg, k.Save):
		return m.saveEdit(&e.base)
	case key.Matches(msg, k.Reload):
		m.detail.editNext = true
		return m.readDetail()
	case key.Matches(msg, k.Overwrite):
		c := e.conflict
		switch {
		case c == nil:
			return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("nothing to overwrite: ctrl+s saves (it checks version %s)", FormatVersion(e.base))})
		case c.missing:
			return m.saveEdit(nil) // the key is gone: write it again
		case c.current == nil:
			return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("the server did not say the current version: ctrl+r reloads it")})
		}
		return m.saveEdit(c.current)
	}
	if m.writing {
		return nil // keep the text as it was sent
	}
	var cmd tea.Cmd
	e.area, cmd = e.area.Update(msg)
	return cmd
}

// saveEdit writes the edited value if the key is still at ifMatch (nil:
// unconditionally, for a key deleted meanwhile).
func (m *Model) saveEdit(ifMatch *client.Version) tea.Cmd {
	e := m.edit
	if m.writing {
		return nil
	}
	v, err := e.value()
	if err != nil {
		e.err = err
		return nil
	}
	e.err = nil
	op := writeOp{kind: writeEdit, key: e.key, value: v, ifMatch: ifMatch, keepExpiry: e.expires}
	if ifMatch == nil {
		op.keepExpiry = time.Time{}
	}
	return m.write(op)
}

// openForm shows the new-key form.
func (m *Model) openForm() tea.Cmd {
	if m.common.ReadOnly {
		return refuse("put a new key", ops.ErrReadOnly)
	}
	st := m.common.Styles
	f := &newForm{
		keyIn: common.NewField("key  ", "e.g. user:42 (quote it for escapes: \"bin:\\x00\")"),
		ttlIn: common.NewField("TTL  ", "none (or 30s, 5m, 1h, 2d)"),
		area:  newArea(st),
	}
	for _, in := range []*common.Input{&f.keyIn, &f.ttlIn} {
		in.CharLimit = 4096
		in.SetStyles(st)
	}
	f.area.Placeholder = "value"
	f.setSize(m.width, m.height)
	m.form, m.mode = f, modeNew
	cmd := f.keyIn.Focus()
	if m.prefix != "" {
		f.keyIn.Continue(m.prefix) // the start of the new key, typed after
	}
	return cmd
}

func (f *newForm) setSize(w, h int) {
	f.keyIn.Width = max(1, w-len(f.keyIn.Prompt)-1)
	f.ttlIn.Width = max(1, w-len(f.ttlIn.Prompt)-1)
	f.area.SetWidth(max(1, w))
	f.area.SetHeight(max(1, h-formChrome))
}

// focusField moves the focus to field i (0 key, 1 TTL, 2 value).
func (f *newForm) focusField(i int) tea.Cmd {
	f.focus = (i + 3) % 3
	f.keyIn.Blur()
	f.ttlIn.Blur()
	f.area.Blur()
	switch f.focus {
	case 0:
		return f.keyIn.Focus()
	case 1:
		return f.ttlIn.Focus()
	}
	return f.area.Focus()
}

func (m *Model) onFormKey(msg tea.KeyMsg) tea.Cmd {
	f, k := m.form, m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.form, m.mode = nil, modeList
		return nil
	case key.Matches(msg, k.NextField):
		return f.focusField(f.focus + 1)
	case key.Matches(msg, k.PrevField):
		return f.focusField(f.focus - 1)
	case key.Matches(msg, k.Save):
		return m.saveForm()
	}
	if m.writing {
		return nil
	}
	var cmd tea.Cmd
	switch f.focus {
	case 0:
		before := f.keyIn.Value()
		f.keyIn, cmd = f.keyIn.Update(msg)
		if f.keyIn.Value() != before {
			f.exists, f.existsKey = nil, nil // the warning was about another key
		}
	case 1:
		f.ttlIn, cmd = f.ttlIn.Update(msg)
	default:
		f.area, cmd = f.area.Update(msg)
	}
	return cmd
}

// saveForm puts the new key. The first save refuses a key that exists; a
// second save overwrites the version it found, if it is still that one.
func (m *Model) saveForm() tea.Cmd {
	f := m.form
	if m.writing {
		return nil
	}
	k, err := ParseKey(f.keyIn.Value())
	if err != nil {
		f.err = err
		return f.focusField(0)
	}
	ttl, err := ParseTTL(f.ttlIn.Value())
	if err != nil {
		f.err = err
		return f.focusField(1)
	}
	f.err = nil
	op := writeOp{kind: writeNew, key: k, value: []byte(f.area.Value()), ttl: ttl, checkExists: true}
	if f.exists != nil && bytes.Equal(f.existsKey, k) {
		op.checkExists, op.ifMatch = false, f.exists
	}
	return m.write(op)
}
