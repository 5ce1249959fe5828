package ui

import (
	"fmt"
	"sort"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
)

// actions lists every palette command: the active pane's first, then the
// global ones, then cluster operations.
func (m *Model) actions() []common.Action {
	out := m.paneActions()
	for i, p := range m.panes {
		title := p.Title()
		out = append(out, common.Action{
			Title: "Go to " + title, Help: "show the " + title + " pane", Keys: fmt.Sprint(i + 1),
			Run: func(string) tea.Cmd { return common.MsgCmd(common.SwitchPaneMsg{Title: title}) },
		})
	}
	out = append(out,
		common.Action{Title: "Trace key routing", Help: "show how the client reaches a key", Prompt: "key",
			Run: func(k string) tea.Cmd { return common.MsgCmd(common.TraceKeyMsg{Key: k}) }},
		common.Action{Title: "Get key", Help: "read a key's value, version and expiry", Prompt: "key",
			Run: func(k string) tea.Cmd { return ops.GetKey(m.common, k) }},
		common.Action{Title: "Put key", Help: "write a key (key=value)", Prompt: "key=value", Confirm: "Write %s?",
			Disabled: m.writeOff(), Run: func(arg string) tea.Cmd { return ops.PutKey(m.common, arg) }},
		common.Action{Title: "Message log", Help: "every message in full, with its time and latency", Keys: m.logKey(),
			Run: func(string) tea.Cmd { return common.MsgCmd(OpenLog{}) }},
		common.Action{Title: "Message log: writes", Help: "the writes made from this console",
			Run: func(string) tea.Cmd { return common.MsgCmd(OpenLog{WritesOnly: true}) }},
		common.Action{Title: "Show help", Help: "list every key", Keys: "?",
			Run: func(string) tea.Cmd { return common.MsgCmd(common.ShowHelpMsg{}) }},
		common.Action{Title: "Filter the list", Help: "filter the active pane's list", Keys: "/",
			Run: func(string) tea.Cmd { return common.MsgCmd(common.StartFilterMsg{}) }},
	)
	out = append(out, m.liveActions()...)
	for _, name := range themes.Names() {
		out = append(out, common.Action{Title: "Theme: " + name, Help: "switch colours",
			Run: func(string) tea.Cmd { return common.MsgCmd(common.SetThemeMsg{Name: name}) }})
	}
	c := m.common
	out = append(out, common.Action{
		Title: "Move a shard's leader", Help: "transfer leadership of a shard (and its group) to a replica",
		Prompt: "shard and target node (e.g. 17 n2)", Confirm: "Move leader: shard and target %s?",
		Disabled: m.writeOff(),
		Run: func(arg string) tea.Cmd {
			shard, target, err := ops.ParseTransfer(arg)
			if err != nil {
				return common.MsgCmd(common.ErrorMsg{Err: err})
			}
			return ops.TransferLeader(c, shard, target)
		},
	})
	if c.Control != nil {
		ids := append([]string(nil), c.Control.NodeIDs()...)
		sort.Strings(ids)
		for _, id := range ids {
			out = append(out,
				common.Action{Title: "Stop node " + id, Help: "embedded cluster: stop a node and watch the failover",
					Confirm: "Stop node " + id + "? Its shards will elect new leaders.", Disabled: m.nodeOpOff(id),
					Run: func(string) tea.Cmd { return ops.StopNode(c, id) }},
				common.Action{Title: "Restart node " + id, Help: "embedded cluster: stop the node and start it again from its data (or start a stopped one)",
					Confirm: "Restart node " + id + "? Its shards will elect new leaders while it is down.", Disabled: m.nodeOpOff(id),
					Run: func(string) tea.Cmd { return ops.RestartNode(c, id) }},
			)
		}
	}
	if m.seed != nil {
		out = append(out, common.Action{Title: "Seed sample data", Help: "load the sample keys and vectors again (what is there stays)",
			Disabled: m.writeOff(), Run: func(string) tea.Cmd { return m.startSeed() }})
	}
	out = append(out, common.Action{Title: "Quit", Help: "leave the console", Keys: "q", Run: func(string) tea.Cmd { return tea.Quit }})
	return out
}

// paneActions returns the active pane's palette commands; a failed pane
// offers none (and one that panics listing them is stopped).
func (m *Model) paneActions() (out []common.Action) {
	i := m.active
	if m.faults[i] != nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			m.fail(i, newFault("Actions", r))
			out = nil
		}
	}()
	return append([]common.Action(nil), m.panes[i].Actions()...)
}

// writeOff is why a write action cannot run: the read-only refusal, or nil.
// The palette then lists it dimmed and refuses it before any prompt; the
// operations refuse again below it (ui/ops).
// nodeOpOff says why node id cannot be stopped or restarted now: a
// read-only profile, or its restart still running.
func (m *Model) nodeOpOff(id string) error {
	if err := m.writeOff(); err != nil {
		return err
	}
	if step, ok := m.progress["restart node "+id]; ok {
		return fmt.Errorf("restart node %s is under way (%s)", id, step)
	}
	return nil
}

func (m *Model) writeOff() error {
	if m.common.ReadOnly {
		return common.ErrReadOnly
	}
	return nil
}
