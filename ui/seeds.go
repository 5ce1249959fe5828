package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
)

// seedCheckEvery is the number of ticks between checks of the --nodes
// addresses that are not nodes of the cluster shown.
const seedCheckEvery = 10

// seedCheckTimeout bounds one such check (a node that accepts connections
// but never answers must not hold it up).
const seedCheckTimeout = 3 * time.Second

// seedCheckMsg is the answer of a --nodes address the view lacks.
type seedCheckMsg struct {
	addr string
	st   *client.NodeStatus
	err  error
}

// seedsOutsideView lists the seed addresses that are no node's address in
// the view shown, in the order given.
func (m *Model) seedsOutsideView(seeds []string) []string {
	if m.view == nil {
		return nil
	}
	in := map[string]bool{}
	for _, n := range m.view.Nodes {
		in[n.Addr] = true
	}
	var out []string
	for _, s := range seeds {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}

// seedCheckCmds asks each --nodes address the view lacks for its status.
// Found in tmux: with --nodes naming two nodes of one cluster and a node
// of another, the console showed whichever answered first ("nodes 1/1
// alive", connected) and said nothing of the other two addresses; a dead
// address in --nodes was never mentioned either.
func (m *Model) seedCheckCmds(c *client.Client) []tea.Cmd {
	var cmds []tea.Cmd
	for _, a := range m.seedsOutsideView(c.Config().Nodes) {
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), seedCheckTimeout)
			defer cancel()
			st, err := c.NodeStatus(ctx, a)
			return seedCheckMsg{addr: a, st: st, err: err}
		})
	}
	return cmds
}

// onSeedCheck warns, once per address and finding, about a --nodes address
// that answers as a node the cluster shown does not have at that address
// (another cluster's node), or that does not answer and is no node of it.
// An address that is another name of a node shown says nothing.
func (m *Model) onSeedCheck(msg seedCheckMsg) {
	if m.view == nil {
		return
	}
	if m.seedFindings == nil {
		m.seedFindings = map[string]string{}
	}
	finding := ""
	switch {
	case msg.err != nil:
		finding = fmt.Sprintf("--nodes names %s, which does not answer and is not a node of the cluster shown: check --nodes", msg.addr)
	case msg.st != nil:
		if n, ok := m.view.Node(msg.st.NodeID); ok && n.Addr == msg.st.Addr {
			break // another name of a node shown
		}
		nodes := make([]string, 0, len(m.view.Nodes))
		for _, n := range m.view.Nodes {
			nodes = append(nodes, n.ID+" "+n.Addr)
		}
		finding = fmt.Sprintf("--nodes names %s, which answers as %s but is not a node of the cluster shown (%s): another cluster's node? check --nodes",
			msg.addr, orUnnamed(msg.st.NodeID), strings.Join(nodes, ", "))
	}
	if finding == m.seedFindings[msg.addr] {
		return
	}
	m.seedFindings[msg.addr] = finding
	if finding != "" {
		m.note(levelWarn, finding, 0, false)
	}
}

func orUnnamed(id string) string {
	if id == "" {
		return "a node without an id"
	}
	return id
}
