package keys

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// Actions implements common.Pane: what the palette offers on this pane, for
// the selected or shown key first.
func (m *Model) Actions() []common.Action {
	k := m.keys
	var out []common.Action
	var t target
	var ok bool
	if m.mode == modeDetail {
		t, ok = m.detailTarget()
	} else if e, sel := m.selectedEntry(); sel {
		t, ok = target{key: e.Key, version: e.Version, expires: e.ExpiresAt}, true
	}
	if ok {
		name := DisplayKey(t.key)
		if m.mode != modeDetail {
			out = append(out, common.Action{Title: "Open key " + name, Help: "show its value, version, shard and TTL", Keys: k.Open.Help().Key,
				Run: func(string) tea.Cmd { return common.MsgCmd(openKeyMsg{key: t.key}) }})
		}
		out = append(out,
			m.common.WriteAction(common.Action{Title: "Edit key " + name, Help: "edit the value; saving checks the version (compare-and-swap)", Keys: k.Edit.Help().Key,
				Run: func(string) tea.Cmd { return common.MsgCmd(openKeyMsg{key: t.key, edit: true}) }}),
			m.ttlAction(t), m.deleteAction(t))
	}
	if m.mode == modeDetail && m.detail != nil && m.detail.view != nil {
		out = append(out, m.viewerActions()...)
	}
	out = append(out,
		m.common.WriteAction(common.Action{Title: "Put a new key", Help: "key, value and an optional TTL in a form", Keys: k.Add.Help().Key,
			Run: func(string) tea.Cmd { return common.MsgCmd(newKeyMsg{}) }}),
		common.Action{Title: "Refresh keys", Help: "scan the page shown again", Keys: k.Refresh.Help().Key,
			Run: func(string) tea.Cmd { return common.MsgCmd(pageMoveMsg{}) }},
		common.Action{Title: "Next page of keys", Help: "keys after the last one shown", Keys: k.NextPage.Help().Key,
			Run: func(string) tea.Cmd { return common.MsgCmd(pageMoveMsg{delta: 1}) }},
		common.Action{Title: "Previous page of keys", Help: "the page before this one", Keys: k.PrevPage.Help().Key,
			Run: func(string) tea.Cmd { return common.MsgCmd(pageMoveMsg{delta: -1}) }},
		m.treeAction(), m.delimiterAction(),
		common.Action{Title: "Toggle stale reads for keys", Help: "stale_ok: any replica answers (shows what followers hold)", Keys: k.Stale.Help().Key,
			Run: func(string) tea.Cmd { return common.MsgCmd(staleMsg{}) }},
	)
	return out
}

// ttlAction asks for a TTL and re-puts the value with it, if the key is
// still at the version the user saw.
func (m *Model) ttlAction(t target) common.Action {
	name := DisplayKey(t.key)
	return m.common.WriteAction(common.Action{
		Title:   "Set TTL of key " + name,
		Help:    "re-write the value with a new TTL (0 or none removes it), if unchanged",
		Keys:    m.keys.TTL.Help().Key,
		Prompt:  "TTL for " + name + " (30s, 5m, 1h, 2d; 0 removes it)",
		Default: durationText(t.expires.Sub(m.now)),
		Run: func(arg string) tea.Cmd {
			ttl, err := ParseTTL(arg)
			if err != nil {
				return refuse("set the TTL of "+name, err)
			}
			v := t.version
			return m.write(writeOp{kind: writeTTL, key: t.key, value: t.value, ifMatch: &v, ttl: ttl})
		},
	})
}

// deleteAction deletes the key after a confirmation, if it is still at the
// version the user saw.
func (m *Model) deleteAction(t target) common.Action {
	name := DisplayKey(t.key)
	return m.common.WriteAction(common.Action{
		Title:   "Delete key " + name,
		Help:    "delete it if it is still the version shown",
		Keys:    m.keys.Delete.Help().Key,
		Confirm: fmt.Sprintf("Delete %s (version %s)? This cannot be undone.", name, FormatVersion(t.version)),
		Run: func(string) tea.Cmd {
			v := t.version
			return m.write(writeOp{kind: writeDelete, key: t.key, ifMatch: &v})
		},
	})
}

// refuseWrite refuses a write key on a read-only profile at once, before
// any prompt, confirmation or read; ok is false for other keys.
func (m *Model) refuseWrite(msg tea.KeyMsg) (tea.Cmd, bool) {
	if !m.common.ReadOnly {
		return nil, false
	}
	k := m.keys
	for _, w := range []struct {
		b  key.Binding
		op string
	}{{k.Edit, "edit a key"}, {k.Add, "put a new key"}, {k.TTL, "set a TTL"}, {k.Delete, "delete a key"}} {
		if key.Matches(msg, w.b) {
			return common.Refuse(w.op, common.ErrReadOnly), true
		}
	}
	return nil, false
}

// isWrite reports whether b is one of the pane's write keys.
func (m *Model) isWrite(b key.Binding) bool {
	k, h := m.keys, b.Help().Key
	return h == k.Edit.Help().Key || h == k.Add.Help().Key || h == k.TTL.Help().Key || h == k.Delete.Help().Key
}
