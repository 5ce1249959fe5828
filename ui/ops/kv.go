package ops

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/audit"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
)

// previewLen bounds how much of a value the status line shows.
const previewLen = 60

// GetKey reads a key and reports its value preview, version and expiry.
func GetKey(c common.Common, key string) tea.Cmd {
	op := "get " + strconv.Quote(key)
	if c.Client == nil {
		return fail(op, ErrNotConnected)
	}
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		start := time.Now()
		r, err := c.Client.Get(ctx, []byte(key), nil)
		res := common.OpResultMsg{Op: op, Latency: time.Since(start)}
		if err != nil {
			res.Err = fmt.Errorf("%s: %w", op, err)
			return res
		}
		info := fmt.Sprintf("%s (%d bytes, version %d/%d", preview(r.Value), len(r.Value), r.Version.Term, r.Version.Index)
		if exp := r.ExpiresAt(); !exp.IsZero() {
			info += ", expires in " + time.Until(exp).Round(time.Second).String()
		}
		res.Info = info + ")"
		return res
	}
}

// PutKey writes "key=value" typed in the palette.
func PutKey(c common.Common, arg string) tea.Cmd {
	key, value, ok := strings.Cut(arg, "=")
	op := "put " + strconv.Quote(key)
	switch {
	case !ok || key == "":
		return fail("put", fmt.Errorf("type key=value, e.g. user:9={\"name\":\"Lin\"} (got %q)", arg))
	case c.ReadOnly:
		return fail(op, ErrReadOnly)
	case c.Client == nil:
		return fail(op, ErrNotConnected)
	}
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		idem := audit.NewIdempotencyKey()
		start := time.Now()
		v, err := c.Client.Put(ctx, []byte(key), []byte(value), &client.PutOptions{IdempotencyKey: idem})
		res := WriteResult{OpResultMsg: common.OpResultMsg{Op: op, Latency: time.Since(start)},
			Audit: journal.Record{Op: "put", Key: key, IdempotencyKey: idem}}
		if err != nil {
			res.Err = fmt.Errorf("%s: %w", op, err)
			return res
		}
		res.Audit.VersionAfter = audit.FormatVersion(v)
		res.Info = "written, version " + audit.FormatVersion(v)
		return res
	}
}

func preview(v []byte) string {
	s := string(v)
	if len(s) > previewLen {
		s = s[:previewLen] + "…"
	}
	return strconv.Quote(s)
}
