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
		done := make(chan error, 1)
		go func() { done <- c.Control.StopNode(id) }()
		var err error
		select {
		case err = <-done:
		case <-time.After(stopTimeout):
			err = fmt.Errorf("the node did not stop within %s (it may still be shutting down)", stopTimeout)
		}
		return WriteResult{OpResultMsg: common.OpResultMsg{Op: op, Latency: time.Since(start), Err: namedOp(op, err), Info: "watch the leaders move"},
			Audit: journal.Record{Op: "stop node", ID: id}}
	}
}

// RestartNode restarts a stopped embedded node.
func RestartNode(c common.Common, id string) tea.Cmd {
	op := "restart node " + id
	if err := check(c, true); err != nil {
		return fail(op, err)
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), restartTimeout)
		defer cancel()
		start := time.Now()
		err := namedOp(op, c.Control.RestartNode(ctx, id))
		return WriteResult{OpResultMsg: common.OpResultMsg{Op: op, Latency: time.Since(start), Err: err, Info: "node rejoined"},
			Audit: journal.Record{Op: "restart node", ID: id}}
	}
}

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
