package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// Init implements common.Pane.
func (m *Model) Init() tea.Cmd { return nil }

// Update implements common.Pane.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.layout() // View only draws: the scroll clicks use is fixed here
	return cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.TimeTravelMsg:
		if msg.Live {
			m.travelEpoch, m.travelAt = 0, time.Time{}
		} else {
			m.travelEpoch, m.travelAt = msg.Epoch, msg.At
		}
	case common.TopologyMsg:
		if msg.View == nil {
			return nil
		}
		var spells map[string]bool
		if msg.Event != nil && !msg.Event.Replaced {
			spells = m.spells(m.last, msg.View)
		}
		e := entryFrom(msg.At, m.last, msg.View, msg.Event, spells)
		prev := m.last
		m.last = msg.View
		m.forgetHolds(e.Replaced)
		if len(spells) == 0 || !e.empty() {
			m.push(e)
		}
		m.foldSpells(msg.At, prev, msg.View, spells, e.Initial || e.Replaced)
	case common.NodeStatusMsg:
		m.onNodeStatus(msg)
	case common.SuspendedMsg:
		// The console did not run: changes made meanwhile were not seen one
		// by one, and the view after them may come before or after this
		// message: the note names the epochs on both sides of the gap.
		if m.last != nil {
			before := m.last.Epoch
			for _, e := range m.entries.newestFirst() {
				if !e.At.After(msg.From) {
					before = e.Epoch
					break
				}
			}
			m.push(noteEntry(msg.To, m.last.Epoch, fmt.Sprintf("the console did not run %s to %s (%s): changes meanwhile come as one (epoch %d before, %d now)",
				msg.From.Format("15:04:05"), msg.To.Format("15:04:05"), msg.To.Sub(msg.From).Round(time.Second), before, m.last.Epoch)))
		}
	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		m.onMouse(msg)
	}
	return nil
}

// push adds an entry to the timeline and returns its number (ring.at).
func (m *Model) push(e Entry) uint64 {
	seq := m.entries.push(e)
	m.refilter()
	if m.cursor > 0 {
		m.cursor = min(m.cursor+1, len(m.shown)-1) // keep the selected entry selected
	}
	return seq
}

// onNodeStatus notes when a node's answer starts to hold its vote
// (restarted without its data) and when it stops (caught up): once each,
// not at every poll. A failed poll says nothing either way.
func (m *Model) onNodeStatus(msg common.NodeStatusMsg) {
	if msg.Err != nil || m.last == nil {
		return
	}
	m.answered(msg.NodeID, msg.RTT)
	if msg.Status == nil {
		return
	}
	if _, ok := m.last.Node(msg.NodeID); !ok {
		return // not a node of the view shown (left, or the cluster before)
	}
	h := common.VoteHoldOf(msg.Status)
	// A hold in the first seconds after a start is the node asking its
	// peers whether the cluster is new (every member of a new cluster
	// holds then): noted only if it lasts past that.
	held := h.Held() && !h.Starting
	switch was := m.holding[msg.NodeID]; {
	case held && !was:
		m.push(noteEntry(msg.At, m.last.Epoch, fmt.Sprintf("%s holds its vote in %s (restarted without data)", msg.NodeID, h.Where())))
	case !held && was:
		m.push(noteEntry(msg.At, m.last.Epoch, msg.NodeID+" caught up: voting in every group"))
	}
	m.holding[msg.NodeID] = held
	s := common.StorageOf(msg.Status)
	switch was := m.storage[msg.NodeID]; {
	case s.Failing() && !was:
		note := msg.NodeID + " " + s.Reason() + ": leads no group until it can write"
		if _, detail, ok := strings.Cut(s.Err, ": "); ok && detail != "" {
			note += " (" + detail + ")"
		}
		m.push(noteEntry(msg.At, m.last.Epoch, note))
	case !s.Failing() && was:
		m.push(noteEntry(msg.At, m.last.Epoch, msg.NodeID+" storage writable again"))
	}
	m.storage[msg.NodeID] = s.Failing()
}

// forgetHolds drops what nodes no longer in the view (or, after a
// replacement, the old cluster's nodes) said about their votes.
func (m *Model) forgetHolds(replaced bool) {
	for id := range m.holding {
		if _, ok := m.last.Node(id); replaced || !ok {
			delete(m.holding, id)
		}
	}
	for id := range m.storage {
		if _, ok := m.last.Node(id); replaced || !ok {
			delete(m.storage, id)
		}
	}
}

// layout keeps the cursor's entry on screen.
func (m *Model) layout() {
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
	if len(m.shown) > 0 {
		m.scrollTo(m.shown)
	}
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	g := m.common.Keys
	n := len(m.visible())
	page := max(1, m.height/2)
	if pos, ok := g.Move(msg, m.cursor, page, n); ok {
		m.cursor = pos
	} else if key.Matches(msg, m.keys.Travel) && m.cursor < n {
		return travelTo(m.shown[m.cursor])
	} else if key.Matches(msg, m.keys.Clear) {
		m.entries.reset()
		m.cursor, m.top = 0, 0
		m.refilter()
	}
	m.cursor = max(0, min(m.cursor, n-1))
	return nil
}

func (m *Model) onMouse(msg tea.MouseMsg) {
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		m.cursor = max(0, m.cursor-1)
	case msg.Button == tea.MouseButtonWheelDown:
		m.cursor = min(len(m.visible())-1, m.cursor+1)
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		if i, ok := m.entryAtLine(msg.Y); ok {
			m.cursor = i
		}
	}
}

// visible returns the entries matching the filter, newest first.
func (m *Model) visible() []Entry { return m.shown }

// refilter recomputes the entries shown after the timeline or the filter
// changed.
func (m *Model) refilter() {
	all := m.entries.newestFirst()
	m.shownSeq = m.shownSeq[:0]
	newest := m.entries.pushed - 1 // all[i] is entry number newest-i
	if m.filter == "" {
		m.shown = all
		for i := range all {
			m.shownSeq = append(m.shownSeq, newest-uint64(i))
		}
		return
	}
	f := strings.ToLower(m.filter)
	m.shown = m.shown[:0]
	for i, e := range all {
		if strings.Contains(strings.ToLower(strings.Join(e.lines(), " ")), f) {
			m.shown = append(m.shown, e)
			m.shownSeq = append(m.shownSeq, newest-uint64(i))
		}
	}
}
