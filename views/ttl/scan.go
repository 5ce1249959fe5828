package ttl

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// Scan bounds: the inspector reads at most maxScan keys per pass, in pages
// of scanPage, so a big keyspace costs a bounded amount of work.
const (
	maxScan  = 20000
	scanPage = 1000
	// rescanEvery is how many ticks pass between background rescans.
	rescanEvery = 10
)

// entry is one key with a TTL.
type entry struct {
	key     string
	shard   int
	size    uint64
	version client.Version
	expires time.Time
}

// scanMsg is the result of one bounded scan pass.
type scanMsg struct {
	reqID     int
	at        time.Time
	entries   []entry // keys with a TTL, soonest first
	scanned   int     // keys read
	truncated bool    // maxScan reached before the end
	err       error
}

// scanCmd reads up to limit keys and keeps those with a TTL.
func scanCmd(c common.Common, reqID, limit int, clock func() time.Time) tea.Cmd {
	b := c.Backend()
	if b == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 4*timeout(c))
		defer cancel()
		out := scanMsg{reqID: reqID}
		var cursor []byte
		for out.scanned < limit {
			// Each page has the console's request timeout; the pass as a
			// whole has 4 of them. With one deadline for the pass, a page
			// stuck on hung nodes used all of it (~15 s with every node
			// SIGSTOPped) before the pane said anything.
			pageCtx, pageCancel := context.WithTimeout(ctx, timeout(c))
			res, err := b.Scan(pageCtx, &client.ScanOptions{Cursor: cursor, Limit: min(scanPage, limit-out.scanned)})
			pageCancel()
			if err != nil {
				out.err = err
				if out.scanned > 0 { // how far it got; "after 0 keys" only pushed the reason off narrow titles
					out.err = fmt.Errorf("after %d keys: %w", out.scanned, err)
				}
				break
			}
			for _, e := range res.Entries {
				if !e.ExpiresAt.IsZero() {
					out.entries = append(out.entries, entry{key: string(e.Key), shard: e.Shard, size: e.Size, version: e.Version, expires: e.ExpiresAt})
				}
			}
			out.scanned += len(res.Entries)
			if res.Done || len(res.NextCursor) == 0 {
				break
			}
			cursor = res.NextCursor
			if out.scanned >= limit {
				out.truncated = true
			}
		}
		sortNatural(out.entries)
		out.at = clock()
		return out
	}
}

func timeout(c common.Common) time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return client.DefaultTimeout
}

// sortNatural orders entries soonest expiry first, then by key.
func sortNatural(es []entry) {
	sort.SliceStable(es, func(i, j int) bool {
		if !es[i].expires.Equal(es[j].expires) {
			return es[i].expires.Before(es[j].expires)
		}
		return es[i].key < es[j].key
	})
}

// bulkMsg reports a bulk extend or clear.
type bulkMsg struct {
	op                         string
	done, conflicts, gone, bad int
	// unknown counts the rewrites sent whose outcome is unknown (a
	// timeout, a lost answer): they may have been applied.
	unknown int
	skipped int // keys not tried: the cluster stopped answering
	// again are the keys to run the rewrite on again (changed meanwhile,
	// an unknown outcome, a failure, not tried): the pane keeps them, and
	// only them, selected, so that running it again does not rewrite the
	// keys already rewritten a second time (an extend would add its
	// duration twice).
	again    []string
	firstErr error
	latency  time.Duration
}

// bulkGiveUpAfter is how many keys in a row may fail (no answer, no leader:
// not a per-key outcome) before a bulk rewrite stops: with every node hung,
// each key waited its whole request timeout in turn, so a selection of 100
// keys kept the pane silent for over 8 minutes at the default 5 s.
const bulkGiveUpAfter = 2

// bulkCmd rewrites each key as a compare-and-swap against the version it
// has now, with the TTL that newTTL computes from the current expiry (zero
// time: no TTL). A key that changed between the read and the write is a
// conflict and left alone.
func bulkCmd(c common.Common, op string, keys []string, newTTL func(expires time.Time) time.Duration) tea.Cmd {
	b := c.Backend()
	if b == nil {
		return nil
	}
	return func() tea.Msg {
		start := time.Now()
		r := bulkMsg{op: op}
		failedInARow := 0
		for i, k := range keys {
			if failedInARow >= bulkGiveUpAfter {
				r.skipped = len(keys) - i
				r.again = append(r.again, keys[i:]...)
				break
			}
			ctx, cancel := c.Context()
			sent, err := rewrite(ctx, b, k, newTTL)
			cancel()
			var vm *client.VersionMismatchError
			failedInARow++
			switch {
			case err == nil:
				r.done++
			case errors.Is(err, client.ErrKeyNotFound):
				r.gone++
			case errors.As(err, &vm) || strings.Contains(err.Error(), "version mismatch"):
				// (the text also catches backends that cannot build the
				// client's error type, like the in-memory fake)
				r.conflicts++
				r.again = append(r.again, k)
			case sent && common.OutcomeUnknown(err):
				r.unknown++
				r.again = append(r.again, k)
				if r.firstErr == nil {
					r.firstErr = fmt.Errorf("%s: %w", k, err)
				}
				continue // counts towards giving up
			default:
				r.bad++
				r.again = append(r.again, k)
				if r.firstErr == nil {
					r.firstErr = fmt.Errorf("%s: %w", k, err)
				}
				continue // counts towards giving up
			}
			failedInARow = 0 // the cluster answered about this key
		}
		r.latency = time.Since(start)
		return r
	}
}

// rewrite reads key k and writes it back with its new TTL; sent says
// whether the write was sent (a failed read sends nothing).
func rewrite(ctx context.Context, b common.Backend, k string, newTTL func(time.Time) time.Duration) (sent bool, err error) {
	got, err := b.Get(ctx, []byte(k), nil)
	if err != nil {
		return false, err
	}
	ttl := newTTL(got.ExpiresAt())
	if ttl < 0 {
		return false, client.ErrKeyNotFound // expired while we looked
	}
	v := got.Version
	_, err = b.Put(ctx, []byte(k), got.Value, &client.PutOptions{TTL: ttl, IfMatchVersion: &v})
	return true, err
}

// result turns a bulk outcome into the status line's message.
func (r bulkMsg) result() common.OpResultMsg {
	info := fmt.Sprintf("%d keys rewritten", r.done)
	if r.done == 1 {
		info = "1 key rewritten"
	}
	if r.conflicts > 0 {
		info += fmt.Sprintf(", %d changed meanwhile (left alone, rescan and retry)", r.conflicts)
	}
	if r.gone > 0 {
		info += fmt.Sprintf(", %d already expired or deleted", r.gone)
	}
	total := r.done + r.conflicts + r.gone + r.bad + r.unknown + r.skipped
	selected := ""
	if n := len(r.again); n > 0 && n < total {
		stay := "stay"
		if n == 1 {
			stay = "stays"
		}
		selected = fmt.Sprintf("; only the %s to run again %s selected", describe(r.again), stay)
	}
	out := common.OpResultMsg{Op: r.op, Latency: r.latency, Info: info + selected}
	// Rewrites whose answer never came may have been applied: an extend
	// run again on them would extend them twice (it reads the expiry
	// afresh), so they are never called failed.
	unknown := ""
	if r.unknown > 0 {
		unknown = fmt.Sprintf("; %d with an unknown outcome (sent, no answer: may have been rewritten; rescan (r) before running it again)", r.unknown)
	}
	unknown += selected
	switch {
	case r.skipped > 0:
		out.Err = fmt.Errorf("%s: stopped after %d keys failed in a row (%s), %d of %d keys not tried; %d rewritten%s: %w",
			r.op, bulkGiveUpAfter, "the cluster is not answering", r.skipped, total, r.done, unknown, r.firstErr)
	case r.bad > 0:
		out.Err = fmt.Errorf("%s: %d of %d keys failed%s, first: %w", r.op, r.bad, total, unknown, r.firstErr)
	case r.unknown > 0:
		out.Err = fmt.Errorf("%s: %d rewritten%s, first: %w", r.op, r.done, unknown, r.firstErr)
	}
	return out
}
