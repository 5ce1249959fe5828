package trace

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/ui/common"
)

var errEmptyKey = errors.New("type a key to trace (keys are 1..1024 bytes)")

// View implements common.Pane.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	st := m.common.Styles
	out := []string{
		st.Title.Render("KEY ROUTING TRACE") + st.Muted.Render("  how the client reaches a key"),
		m.input.View(),
		"",
	}
	if m.result == nil {
		hint := "press enter to type a key, or use the palette (:) action \"Trace key\""
		if m.input.Focused() {
			hint = "enter traces the key, esc stops typing"
		}
		out = append(out, st.Muted.Render(hint))
		return common.Fit(strings.Join(out, "\n"), m.width, m.height)
	}
	out = append(out, m.steps()...)
	return common.Fit(strings.Join(out, "\n"), m.width, m.height)
}

// steps renders the route of the traced key, one step per line.
func (m *Model) steps() []string {
	st := m.common.Styles
	r := m.result.route
	k := m.result.key
	step := func(n int, name, val string) string {
		return st.Accent.Render(fmt.Sprintf("%d %-8s", n, name)) + " " + val
	}
	total := m.common.TotalShards
	if m.view != nil && len(m.view.Shards) > 0 {
		total = len(m.view.Shards)
	}
	out := []string{
		step(1, "key", fmt.Sprintf("%s (%d bytes)", strconv.Quote(k), len(k))),
		step(2, "xxhash64", fmt.Sprintf("0x%016x (%d), seed 0", r.Hash, r.Hash)),
		step(3, "shard", fmt.Sprintf("%d of %d  (jump consistent hash)", r.Shard, total)),
	}
	group := "group unknown (node status unavailable)"
	if g, ok := m.groupOf[r.Shard]; ok {
		group = fmt.Sprintf("group %d", g)
	}
	reps := "no replicas known yet"
	if len(r.Replicas) > 0 {
		reps = "replicas " + strings.Join(r.Replicas, " ")
	}
	out = append(out, step(4, "group", group+"  "+reps))

	viewLeader := ""
	if m.view != nil && r.Shard < len(m.view.Shards) {
		viewLeader = m.view.Shards[r.Shard].Leader()
	}
	leader, source := r.LeaderID, ""
	switch {
	case leader == "" && r.LeaderAddr == "":
		leader, source = orNone(viewLeader), st.Warn.Render("not in the client's cache (an election?); the next request relocates")
	case r.FromCache:
		source = st.Warn.Render("cached from a NOT_LEADER redirect, newer than the cluster view")
	default:
		epoch := uint64(0)
		if m.view != nil {
			epoch = m.view.Epoch
		}
		source = st.OK.Render(fmt.Sprintf("cached from the cluster view (epoch %d)", epoch))
	}
	if leader == "" {
		leader = "(id unknown)"
	}
	out = append(out, step(5, "leader", leader+"  "+source))
	addr := r.LeaderAddr
	if addr == "" && m.view != nil {
		if n, ok := m.view.Node(viewLeader); ok {
			addr = n.Addr + st.Muted.Render("  (from the view)")
		}
	}
	if addr == "" {
		addr = "unknown"
	}
	out = append(out, step(6, "address", addr))
	if id := r.LeaderID; id != "" || viewLeader != "" {
		if id == "" {
			id = viewLeader
		}
		// Wrapped under its step: a node's error is often wider than the pane.
		text, style := m.reach(id)
		for i, l := range common.Wrap(text, max(10, m.width-11)) {
			if i == 0 {
				out = append(out, step(7, "reach", style.Render(l)))
				continue
			}
			out = append(out, strings.Repeat(" ", 11)+style.Render(l))
		}
	}
	if viewLeader != "" && r.LeaderID != "" && viewLeader != r.LeaderID {
		out = append(out, st.Warn.Render(fmt.Sprintf("note: the view says %s leads shard %d; the cache will be corrected by the next request", viewLeader, r.Shard)))
	}
	return out
}

// reach says whether node id answered its last status poll: a leader the
// console cannot reach is where a request for the key waits (until it
// answers or a new leader is elected), whatever the cache says.
func (m *Model) reach(id string) (string, lipgloss.Style) {
	st := m.common.Styles
	p, ok := m.polls[id]
	switch {
	case !ok:
		return id + " not polled yet", st.Muted
	case p.Err != nil:
		return fmt.Sprintf("%s does not answer its status poll (%s); requests for this key wait for it or a new leader", id, p.Err), st.Error
	}
	return fmt.Sprintf("%s answers its status poll (round trip %s)", id, common.FormatLatency(p.RTT)), st.OK
}

func orNone(s string) string {
	if s == "" {
		return "no leader"
	}
	return s
}
