package ops

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/audit"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
)

// previewLen bounds how much of a value the status line shows.
const previewLen = 60

// GetKey reads a key and reports its value preview, version and expiry.
// A key written quoted ("bin\x01", as the panes show keys that are not
// plain text) is read unquoted, like in the Keys pane.
func GetKey(c common.Common, arg string) tea.Cmd {
	key, err := common.ParseKey(arg)
	if err != nil {
		return common.MsgCmd(common.OpResultMsg{Op: "get", Err: fmt.Errorf("get: %w", err)})
	}
	op := "get " + common.TermSafe(strconv.Quote(string(key)))
	if c.Client == nil {
		return fail(op, ErrNotConnected)
	}
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		start := time.Now()
		r, err := c.Client.Get(ctx, key, nil)
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

// PutKey writes "key=value" typed in the palette; the key may be quoted
// ("bin\x01"=v) as the panes show keys that are not plain text.
func PutKey(c common.Common, arg string) tea.Cmd {
	rawKey, value, ok := strings.Cut(arg, "=")
	if q, err := strconv.QuotedPrefix(arg); err == nil && strings.HasPrefix(arg[len(q):], "=") {
		rawKey, value, ok = q, arg[len(q)+1:], true
	}
	if !ok || rawKey == "" {
		return fail("put", fmt.Errorf("type key=value, e.g. user:9={\"name\":\"Lin\"} (got %q)", arg))
	}
	k, err := common.ParseKey(rawKey)
	if err != nil {
		return fail("put", err)
	}
	key := string(k)
	op := "put " + common.TermSafe(strconv.Quote(key))
	switch {
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
		cut := previewLen
		for cut > 0 && !utf8.RuneStart(s[cut]) { // not inside a character
			cut--
		}
		s = s[:cut] + "…"
	}
	return common.TermSafe(strconv.Quote(s))
}
