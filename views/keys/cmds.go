package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
)

// errKeyExists is a new-key put refused because the key is there.
var errKeyExists = errors.New("the key exists")

// scanCmd reads one page of keys starting after cursor.
func scanCmd(c common.Common, reqID int, prefix, cursor []byte, limit int, level client.ConsistencyLevel) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		start := time.Now()
		res, err := c.Backend().Scan(ctx, &client.ScanOptions{Prefix: prefix, Cursor: cursor, Limit: limit, Consistency: level})
		if err != nil {
			err = fmt.Errorf("list keys: %w", err)
		}
		return pageMsg{reqID: reqID, at: time.Now(), latency: time.Since(start), res: res, err: err}
	}
}

// getCmd reads one key with its metadata.
func getCmd(c common.Common, reqID int, key []byte, level client.ConsistencyLevel) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		res, err := c.Backend().Get(ctx, key, &client.GetOptions{Consistency: level})
		if err != nil {
			err = fmt.Errorf("read %s: %w", DisplayKey(key), err)
		}
		return detailMsg{reqID: reqID, key: key, level: level, at: time.Now(), res: res, err: err}
	}
}

// writeCmd runs a write; every write but a plain new key is a
// compare-and-swap against the version the user saw. Each write carries an
// idempotency key of the console's own (kept in the reply), so a write
// whose outcome is unknown can be sent again and apply at most once.
func writeCmd(c common.Common, op writeOp) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		start := time.Now()
		if op.idemKey == "" {
			op.idemKey = common.NewIdempotencyKey()
		}
		res := writeMsg{op: op}
		var sent bool
		res.version, res.tombstoned, res.exists, sent, res.err = runWrite(ctx, c.Backend(), &op)
		res.op = op
		res.at, res.latency = time.Now(), time.Since(start)
		if res.err != nil {
			if sent && common.OutcomeUnknown(res.err) {
				res.unknown = true
				res.err = fmt.Errorf("%s: outcome unknown, it may have been applied (%s): %w", op.label(), op.againHint(), res.err)
			} else {
				res.err = fmt.Errorf("%s: %w", op.label(), res.err)
			}
		}
		return res
	}
}

// runWrite does op's client calls; it returns the write's version, Delete's
// answer, the version found when a new key already exists, and whether the
// write itself was sent (false when a read before it failed or refused it).
func runWrite(ctx context.Context, c common.Backend, op *writeOp) (client.Version, bool, *client.Version, bool, error) {
	switch op.kind {
	case writeDelete:
		ok, err := c.Delete(ctx, op.key, &client.DeleteOptions{IfMatchVersion: op.ifMatch, IdempotencyKey: op.idemKey})
		return client.Version{}, ok, nil, true, err
	case writeNew:
		if op.checkExists { // also on a replay: the key may be another writer's
			got, err := c.Get(ctx, op.key, nil)
			if err == nil {
				v := got.Version
				return client.Version{}, false, &v, false, errKeyExists
			}
			if !errors.Is(err, client.ErrKeyNotFound) {
				return client.Version{}, false, nil, false, fmt.Errorf("check whether it exists: %w", err)
			}
		}
	case writeTTL:
		if op.value == nil {
			got, err := c.Get(ctx, op.key, &client.GetOptions{Consistency: client.ConsistencyLinearizable})
			if err != nil {
				return client.Version{}, false, nil, false, fmt.Errorf("read the value: %w", err)
			}
			if op.ifMatch != nil && got.Version != *op.ifMatch && !op.replay {
				cur := got.Version
				return client.Version{}, false, nil, false, &staleError{expected: *op.ifMatch, current: cur}
			}
			op.value = got.Value
		}
	case writeEdit:
		if !op.keepExpiry.IsZero() {
			left := time.Until(op.keepExpiry)
			if left <= 0 {
				return client.Version{}, false, nil, false, fmt.Errorf("the key expired while you edited it (its TTL ran out); put it again as a new key")
			}
			op.ttl = left
		}
	}
	v, err := c.Put(ctx, op.key, op.value, &client.PutOptions{TTL: op.ttl, IfMatchVersion: op.ifMatch, IdempotencyKey: op.idemKey})
	return v, false, nil, true, err
}

// staleError is a TTL change refused before writing: the value read for it
// is newer than the version the user saw.
type staleError struct{ expected, current client.Version }

func (e *staleError) Error() string {
	return fmt.Sprintf("the key changed since it was listed (listed version %s, now %s): refresh and try again",
		FormatVersion(e.expected), FormatVersion(e.current))
}

// refuse reports a write refused before it starts.
func refuse(op string, err error) tea.Cmd {
	return common.MsgCmd(common.OpResultMsg{Op: op, Err: fmt.Errorf("%s: %w", op, err)})
}

// writeCheck says why writes cannot run now, or nil.
func (m *Model) writeCheck() error {
	switch {
	case m.common.ReadOnly:
		return ops.ErrReadOnly
	case m.common.Backend() == nil:
		return ops.ErrNotConnected
	}
	return nil
}
