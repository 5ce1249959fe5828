package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// helpEntry is one key line of the help overlay.
type helpEntry struct{ scope, keys, desc string }

// helpModel is the searchable help overlay: typing filters the key list.
type helpModel struct {
	styles  *themes.Styles
	open    bool
	search  common.Input
	entries []helpEntry
	top     int
}

func newHelp(st *themes.Styles) helpModel {
	in := common.NewField("search: ", "type to filter keys")
	in.SetStyles(st) // coloured at every View: a theme switch reaches it
	return helpModel{styles: st, search: in}
}

// show opens the overlay for the global keys and the active pane's.
// extra are root keys outside the global key map (the message log).
func (h *helpModel) show(global help.KeyMap, pane common.Pane, extra ...key.Binding) tea.Cmd {
	h.entries = h.entries[:0]
	add := func(scope string, groups [][]key.Binding) {
		for _, g := range groups {
			for _, b := range g {
				if hb := b.Help(); hb.Key != "" && b.Enabled() {
					h.entries = append(h.entries, helpEntry{scope, hb.Key, hb.Desc})
				}
			}
		}
	}
	add(pane.Title(), pane.FullHelp())
	add("global", global.FullHelp())
	add("global", [][]key.Binding{extra})
	h.open, h.top = true, 0
	h.search.SetValue("")
	return h.search.Focus()
}

func (h *helpModel) close() {
	h.open = false
	h.search.Blur()
}

func (h *helpModel) update(msg tea.KeyMsg) tea.Cmd {
	switch msg.String() {
	case "esc", "?":
		if msg.String() == "?" && h.search.Value() != "" {
			break
		}
		h.close()
		return nil
	case "up":
		h.top = max(0, h.top-1)
		return nil
	case "down":
		h.top++
		return nil
	}
	var cmd tea.Cmd
	h.search, cmd = h.search.Update(msg)
	h.top = 0
	return cmd
}

func (h *helpModel) visible() []helpEntry {
	q := strings.ToLower(strings.TrimSpace(h.search.Value()))
	if q == "" {
		return h.entries
	}
	var out []helpEntry
	for _, e := range h.entries {
		if strings.Contains(strings.ToLower(e.scope+" "+e.keys+" "+e.desc), q) {
			out = append(out, e)
		}
	}
	return out
}

// view renders the overlay box within width x height.
func (h *helpModel) view(width, height int) string {
	st := h.styles
	inner := min(width, 70) - 4
	rows := height - 5
	if inner < 10 || rows < 1 {
		return ""
	}
	vis := h.visible()
	h.top = max(0, min(h.top, len(vis)-rows))
	lines := []string{st.OverlayTitle.Render("Keys") + st.Muted.Render("  esc closes · ↑/↓ scroll"), h.search.View()}
	scope := ""
	for i := h.top; i < len(vis) && len(lines) < rows+2; i++ {
		e := vis[i]
		s := "        "
		if e.scope != scope {
			scope = e.scope
			s = common.FitLine(strings.ToLower(scope), 8)
		}
		keyStyle, descStyle := st.HelpKey, st.HelpDesc
		if common.IsReadOnlyHelp(e.desc) { // a write key on a read-only profile: dimmed
			keyStyle, descStyle = st.Muted, st.Muted
		}
		lines = append(lines, st.Muted.Render(s)+keyStyle.Render(common.FitLine(e.keys, 14))+" "+descStyle.Render(e.desc))
	}
	if len(vis) == 0 {
		lines = append(lines, st.Muted.Render("no key matches"))
	}
	for i, l := range lines {
		lines[i] = common.FitLine(l, inner)
	}
	return st.Overlay.Render(strings.Join(lines, "\n"))
}
