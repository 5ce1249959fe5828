// Package ops turns the console's cluster operations (move a shard's leader,
// stop or restart an embedded node) into tea.Cmds that report an
// OpResultMsg, refusing them on read-only profiles.
package ops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
)

// restartTimeout bounds restarting an embedded node (it must rejoin Raft).
const restartTimeout = 30 * time.Second

// stopTimeout bounds waiting for an embedded node to stop.
const stopTimeout = 15 * time.Second

// ErrReadOnly is returned for operations refused on a read-only profile
// (the same error as common.ErrReadOnly, which panes use).
var ErrReadOnly = common.ErrReadOnly

// ErrNotEmbedded is returned for node operations on an external cluster.
var ErrNotEmbedded = errors.New("stopping and restarting nodes works only on the embedded cluster (run without --nodes)")

// ErrNotConnected is returned when no client is available yet.
var ErrNotConnected = errors.New("not connected yet: wait for the header to say connected")

// TransferLeader moves shard's leadership to target through the client's
// Admin call.
func TransferLeader(c common.Common, shard int, target string) tea.Cmd {
	op := fmt.Sprintf("move leader of shard %d to %s", shard, target)
	if err := check(c, false); err != nil {
		return fail(op, err)
	}
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		start := time.Now()
		info, err := c.Client.TransferShard(ctx, shard, target)
		res := WriteResult{OpResultMsg: common.OpResultMsg{Op: op, Latency: time.Since(start)},
			Audit: journal.Record{Op: "move leader", ID: fmt.Sprintf("shard %d -> %s", shard, target)}}
		if err != nil {
			res.Err = fmt.Errorf("%s: %w", op, err)
			return res
		}
		res.Info = "leader is now " + info.Leader()
		return res
	}
}

// ParseTransfer reads "SHARD NODE" (e.g. "17 n2") as typed in the palette.
func ParseTransfer(arg string) (int, string, error) {
	f := strings.Fields(arg)
	if len(f) != 2 {
		return 0, "", fmt.Errorf("type a shard and a node, e.g. \"17 n2\" (got %q)", arg)
	}
	shard, err := strconv.Atoi(f[0])
	if err != nil || shard < 0 {
		return 0, "", fmt.Errorf("shard %q is not a shard number: type e.g. \"17 n2\"", f[0])
	}
	return shard, f[1], nil
}

// StopNode stops an embedded node.
func StopNode(c common.Common, id string) tea.Cmd {
	op := "stop node " + id
	if err := check(c, true); err != nil {
		return fail(op, err)
	}
	return func() tea.Msg {
		start := time.Now()
		err := stopWithin(c.Control, id)
		return WriteResult{OpResultMsg: common.OpResultMsg{Op: op, Latency: time.Since(start), Err: namedOp(op, err), Info: "watch the leaders move"},
			Audit: journal.Record{Op: "stop node", ID: id}}
	}
}

// ProgressMsg is a step of a longer operation (restarting a node): the root
// shows it in the status line until the operation's result arrives, and
// runs Next, which does the rest.
type ProgressMsg struct {
	Op   string // e.g. "restart node n2", as its result will name it
	Step string // e.g. "stopping…"
	Next tea.Cmd
}

// RestartNode restarts an embedded node: a running one is stopped and
// started again from its data, a stopped one is started. Each step is a
// ProgressMsg ("stopping…", then "starting…"), the end a WriteResult.
func RestartNode(c common.Common, id string) tea.Cmd {
	op := "restart node " + id
	if err := check(c, true); err != nil {
		return fail(op, err)
	}
	start := time.Now()
	result := func(err error, info string) tea.Msg {
		return WriteResult{OpResultMsg: common.OpResultMsg{Op: op, Latency: time.Since(start), Err: err, Info: info},
			Audit: journal.Record{Op: "restart node", ID: id}}
	}
	startIt := func(info string) tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), restartTimeout)
			defer cancel()
			if err := c.Control.RestartNode(ctx, id); err != nil {
				return result(namedOp(op, err), "")
			}
			return result(nil, info)
		}
	}
	starting := "starting, waiting for its groups to find leaders…"
	stop := func() tea.Msg {
		if err := stopWithin(c.Control, id); err != nil {
			// "restart node n2: could not stop it: not running", not
			// "restart node n2: stop node n2: not running".
			return result(fmt.Errorf("%s: could not stop it: %w", op, trimOp("stop node "+id, err)), "")
		}
		return ProgressMsg{Op: op, Step: "stopped; " + starting, Next: startIt("stopped and started again, node rejoined")}
	}
	return func() tea.Msg {
		if !c.Control.Running(id) {
			return ProgressMsg{Op: op, Step: "not running; " + starting, Next: startIt("node rejoined")}
		}
		return ProgressMsg{Op: op, Step: "stopping…", Next: stop}
	}
}

// stopWithin stops node id, giving up waiting after stopTimeout.
func stopWithin(ctl common.ClusterControl, id string) error {
	done := make(chan error, 1)
	go func() { done <- ctl.StopNode(id) }()
	select {
	case err := <-done:
		return err
	case <-time.After(stopTimeout):
		return fmt.Errorf("the node did not stop within %s (it may still be shutting down)", stopTimeout)
	}
}

// trimOp drops a leading "op: " from err's text (keeping err to unwrap).
func trimOp(op string, err error) error {
	if rest, ok := strings.CutPrefix(err.Error(), op+": "); ok {
		return opErr{text: rest, err: err}
	}
	return err
}

type opErr struct {
	text string
	err  error
}

func (e opErr) Error() string { return e.text }
func (e opErr) Unwrap() error { return e.err }

// namedOp names the operation in err unless err already starts with it
// (the embedded cluster's own errors do: "restart node n2: already
// running" was shown as "restart node n2: restart node n2: already running").
func namedOp(op string, err error) error {
	if err == nil || strings.HasPrefix(err.Error(), op+":") {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

func check(c common.Common, needControl bool) error {
	if c.ReadOnly {
		return ErrReadOnly
	}
	if needControl && c.Control == nil {
		return ErrNotEmbedded
	}
	if !needControl && c.Client == nil {
		return ErrNotConnected
	}
	return nil
}

func fail(op string, err error) tea.Cmd {
	return common.MsgCmd(common.OpResultMsg{Op: op, Err: fmt.Errorf("%s: %w", op, err)})
}

// ClientErrorHint says what to do about an error from the client, for the
// status line.
func ClientErrorHint(err error) string {
	var ce *client.ConnectionError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrReadOnly), errors.Is(err, ErrNotEmbedded), errors.Is(err, ErrNotConnected):
		return ""
	case errors.Is(err, client.ErrUnsupported):
		return "this server lacks the console extension"
	case errors.As(err, &ce):
		return "check the node is up; the console keeps retrying"
	case errors.Is(err, client.ErrKeyNotFound):
		return "check the shard or key"
	case errors.Is(err, context.DeadlineExceeded):
		return "the cluster may be electing a leader: try again"
	}
	// Anything else already says what went wrong; a blanket "try again"
	// would only add noise.
	return ""
}
