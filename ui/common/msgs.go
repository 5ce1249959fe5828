package common

import (
	"time"

	"github.com/norikv/norikv-console/client"
)

// TopologyMsg carries a cluster view into the panes: the first view after
// connecting (Event nil) and every accepted change after it, in epoch order.
type TopologyMsg struct {
	At    time.Time
	View  *client.ClusterView
	Event *client.TopologyEvent
}

// StatsMsg carries a snapshot of the client's counters, taken every second.
type StatsMsg struct {
	At    time.Time
	Stats client.Stats
}

// NodeStatusMsg is one node's answer to the periodic status poll, with the
// round trip it took.
type NodeStatusMsg struct {
	At     time.Time
	NodeID string
	Status *client.NodeStatus // nil when Err is set
	RTT    time.Duration
	Err    error
}

// PollsSentMsg says the root just asked these nodes for their status (a
// NodeStatusMsg per node follows): a pane can tell a node that is slow to
// answer, or not answering, from one answered a moment ago.
type PollsSentMsg struct {
	At      time.Time
	NodeIDs []string
}

// SuspendedMsg says the console did not run from From to To (its process
// was suspended or stopped: Ctrl-Z, SIGSTOP, a laptop asleep, a paused VM;
// or starved): the cluster changed meanwhile unseen, and what comes next
// catches up at once. The root sends it on the first tick after.
type SuspendedMsg struct{ From, To time.Time }

// TickMsg drives time-based display (flash expiry, polling), once a second.
type TickMsg struct{ At time.Time }

// ConnectedMsg reports the end of a connection attempt.
type ConnectedMsg struct {
	Err error
}

// OpResultMsg reports a finished user operation for the status line.
type OpResultMsg struct {
	Op      string // e.g. "move leader of shard 17 to n2"
	Latency time.Duration
	Err     error
	// Info is a short success note, e.g. "16 shards moved".
	Info string
}

// DataChangedMsg tells the panes that keys or vectors changed outside them
// (sample data seeded, a put from the palette): lists re-read what they
// show. The root broadcasts it.
type DataChangedMsg struct{}

// SwitchPaneMsg asks the root to show the pane with this title.
type SwitchPaneMsg struct{ Title string }

// SetThemeMsg asks the root to switch theme.
type SetThemeMsg struct{ Name string }

// TraceKeyMsg asks the trace pane to trace a key (and the root to show it).
type TraceKeyMsg struct{ Key string }

// ShowHelpMsg asks the root to open the help overlay.
type ShowHelpMsg struct{}

// StartFilterMsg asks the root to open the filter of the active pane.
type StartFilterMsg struct{}

// ErrorMsg reports an error to show in the status line.
type ErrorMsg struct{ Err error }

// RunActionMsg asks the root to run a palette action, going through its
// prompt and confirmation first (a pane shortcut for a palette command).
type RunActionMsg struct{ Action Action }
