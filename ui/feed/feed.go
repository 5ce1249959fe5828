// Package feed turns the client's asynchronous sources into Bubble Tea
// commands: topology events read from a channel by a re-armed command, the
// once-a-second tick, stats snapshots, node status polls and connecting.
package feed

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// Tick is the console's refresh period (stats samples, flash expiry).
const Tick = time.Second

// PollTimeout bounds one node status request.
const PollTimeout = 1500 * time.Millisecond

// connectTimeout bounds one connection attempt; the console retries after.
const connectTimeout = 5 * time.Second

// Feed delivers the client's topology events to the update loop.
type Feed struct {
	c     *client.Client
	ch    chan common.TopologyMsg
	done  chan struct{}
	once  sync.Once
	unsub func()
}

// Start subscribes to c's topology changes. Call it before connecting so the
// first view is not missed; Close it when the program ends.
func Start(c *client.Client) *Feed {
	f := &Feed{c: c, ch: make(chan common.TopologyMsg, 64), done: make(chan struct{})}
	f.unsub = c.OnTopologyChange(func(ev client.TopologyEvent) {
		msg := common.TopologyMsg{At: time.Now(), View: c.ClusterView(), Event: &ev}
		select {
		case f.ch <- msg:
		case <-f.done:
		}
	})
	return f
}

// Next returns a command that waits for the next topology message; the root
// issues it again after each one.
func (f *Feed) Next() tea.Cmd {
	return func() tea.Msg {
		select {
		case m := <-f.ch:
			return m
		case <-f.done:
			return nil
		}
	}
}

// Close stops the subscription and releases a waiting Next.
func (f *Feed) Close() {
	f.once.Do(func() {
		close(f.done) // first: releases a callback blocked on a full channel
		f.unsub()
	})
}

// TickCmd returns the next TickMsg after one Tick, stamped when it is read
// (a timer read late gives the time it was due).
func TickCmd() tea.Cmd {
	return tea.Tick(Tick, func(time.Time) tea.Msg { return common.TickMsg{At: time.Now()} })
}

// StatsCmd samples the client's counters.
func StatsCmd(c *client.Client) tea.Cmd {
	return func() tea.Msg { return common.StatsMsg{At: time.Now(), Stats: c.Stats()} }
}

// ConnectCmd makes one connection attempt.
func ConnectCmd(c *client.Client) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		return common.ConnectedMsg{Err: c.Connect(ctx)}
	}
}

// ViewCmd reports the client's current view as an initial TopologyMsg.
func ViewCmd(c *client.Client) tea.Cmd {
	return func() tea.Msg {
		v := c.ClusterView()
		if v == nil {
			return nil
		}
		return common.TopologyMsg{At: time.Now(), View: v}
	}
}

// PollCmds asks every node for its status, one command per node, each
// timing its round trip.
func PollCmds(c *client.Client, nodeIDs []string) []tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(nodeIDs))
	for _, id := range nodeIDs {
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), PollTimeout)
			defer cancel()
			start := time.Now()
			st, err := c.NodeStatus(ctx, id)
			return common.NodeStatusMsg{At: time.Now(), NodeID: id, Status: st, RTT: time.Since(start), Err: err}
		})
	}
	return cmds
}

// Reachable reports whether a node status answer shows the node is up: it
// answered, even if only to say it lacks the console extension.
func Reachable(msg common.NodeStatusMsg) bool {
	return msg.Err == nil || errors.Is(msg.Err, client.ErrUnsupported)
}
