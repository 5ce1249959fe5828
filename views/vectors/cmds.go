package vectors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
)

// listCmd fetches the index list off the update loop.
func listCmd(c common.Common, reqID int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		ix, err := c.Backend().ListVectorIndexes(ctx)
		if err != nil {
			err = fmt.Errorf("list vector indexes: %w", err)
		}
		return listMsg{reqID: reqID, at: time.Now(), indexes: ix, err: err}
	}
}

// searchKind says what a search command runs besides the user's search.
type searchKind int

const (
	plainSearch searchKind = iota
	recallCheck            // plus an exact reference search
	efSweep                // plus the reference and the query at several ef
)

// searchCmd runs one search, plus the reference search of a recall check
// or the searches of an ef sweep.
func searchCmd(c common.Common, reqID int, req searchRequest, kind searchKind) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		msg := searchMsg{reqID: reqID, req: req, kind: kind, at: time.Now()}
		msg.query, msg.err = resolveQuery(ctx, c.Backend(), req)
		if msg.err != nil {
			return msg
		}
		opts := &client.VectorSearchOptions{IncludeVectors: req.vectors, Consistency: req.consistency, Ef: req.ef, Exact: req.exact}
		start := time.Now()
		msg.res, msg.err = c.Backend().VectorSearch(ctx, req.namespace, msg.query, req.k, opts)
		msg.rtt = time.Since(start)
		// A round trip across a stop of the console measures the stop.
		msg.stalled = c.Client != nil && c.Client.RanAcrossStall(start, msg.rtt)
		if msg.err != nil {
			msg.err = fmt.Errorf("search %s: %w", req.namespace, msg.err)
			return msg
		}
		if kind == plainSearch {
			return msg
		}
		msg.recall, msg.err = referenceSearch(ctx, c.Backend(), req, msg.query, msg.res.Matches)
		if kind == efSweep && msg.err == nil {
			msg.sweep, msg.err = sweep(ctx, c.Backend(), req, msg.query, msg.recall.refMatch)
		}
		return msg
	}
}

// resolveQuery returns the query vector: the typed one, or the stored vector
// of req.byID.
func resolveQuery(ctx context.Context, c common.Backend, req searchRequest) ([]float32, error) {
	if req.byID == "" {
		return req.query, nil
	}
	v, err := c.VectorGetWithOptions(ctx, req.namespace, req.byID, &client.VectorGetOptions{Consistency: req.consistency})
	switch {
	case err != nil:
		return nil, fmt.Errorf("get vector %s of %s: %w", strconv.Quote(req.byID), req.namespace, err)
	case v == nil:
		return nil, fmt.Errorf("%s has no vector with id %s: check the id (ids are case sensitive)", req.namespace, strconv.Quote(req.byID))
	}
	return v, nil
}

// referenceSearch runs the reference search of a recall check: an exact
// scan of the same index (or of the index req.recallRef). Servers without
// the console extension ignore the exact flag; ef RecallEf then makes the
// reference as good an HNSW answer as the index gives, and the result says
// the server did not confirm an exact scan.
func referenceSearch(ctx context.Context, c common.Backend, req searchRequest, query []float32, got []client.VectorMatch) (*recallResult, error) {
	rr := &recallResult{ref: req.recallRef}
	if rr.ref == "" {
		rr.ref = req.namespace
	}
	opts := &client.VectorSearchOptions{Consistency: req.consistency, Exact: true, Ef: max(RecallEf, req.k)}
	start := time.Now()
	res, err := c.VectorSearch(ctx, rr.ref, query, req.k, opts)
	rr.refTime = time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("recall reference search on %s: %w", rr.ref, err)
	}
	rr.exact, rr.refEf = res.Exact, opts.Ef
	rr.refServer = micros(res.SearchTimeUs)
	rr.refMatch = res.Matches
	rr.hit, rr.of = Overlap(got, res.Matches)
	return rr, nil
}

// writeCheck refuses writes on read-only profiles and before connecting.
func writeCheck(c common.Common) error {
	switch {
	case c.ReadOnly:
		return ops.ErrReadOnly
	case c.Backend() == nil:
		return ops.ErrNotConnected
	}
	return nil
}

// writeCmd runs one write off the update loop and reports it as done. A
// write that got no answer (common.OutcomeUnknown) may have been applied:
// its error says so, and again, what settles it.
func writeCmd(c common.Common, op, again string, done opDoneMsg, run func(ctx context.Context) (string, error)) tea.Cmd {
	if err := writeCheck(c); err != nil {
		return common.MsgCmd(opDoneMsg{res: common.OpResultMsg{Op: op, Err: fmt.Errorf("%s: %w", op, err)}})
	}
	return func() tea.Msg {
		ctx, cancel := c.Context()
		defer cancel()
		start := time.Now()
		info, err := run(ctx)
		done.res = common.OpResultMsg{Op: op, Latency: time.Since(start), Info: info}
		switch {
		case err != nil && common.OutcomeUnknown(err):
			done.res.Err = fmt.Errorf("%s: outcome unknown, it may have been applied (%s): %w", op, again, err)
		case err != nil:
			done.res.Err = fmt.Errorf("%s: %w", op, err)
		}
		return done
	}
}

// insertOp names the insert of id into ns, in its result and while it runs.
func insertOp(ns, id string) string {
	return fmt.Sprintf("insert vector %s into %s", strconv.Quote(id), ns)
}

// insertCmd upserts one vector.
func insertCmd(c common.Common, k *KeyMap, ns, id string, v []float32) tea.Cmd {
	op := insertOp(ns, id)
	again := fmt.Sprintf("%s and the id search by it; %s again is safe, an upsert", k.Similar.Help().Key, k.Insert.Help().Key)
	return writeCmd(c, op, again, opDoneMsg{}, func(ctx context.Context) (string, error) {
		ver, err := c.Backend().VectorInsert(ctx, ns, id, v, nil)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("upserted %d values, version %d/%d", len(v), ver.Term, ver.Index), nil
	})
}

// deleteOp names the delete of id from ns.
func deleteOp(ns, id string) string {
	return fmt.Sprintf("delete vector %s from %s", strconv.Quote(id), ns)
}

// deleteCmd deletes one vector.
func deleteCmd(c common.Common, k *KeyMap, ns, id string) tea.Cmd {
	op := deleteOp(ns, id)
	again := fmt.Sprintf("%s again is safe: it says whether the id was still there", k.Delete.Help().Key)
	return writeCmd(c, op, again, opDoneMsg{}, func(ctx context.Context) (string, error) {
		ok, err := c.Backend().VectorDelete(ctx, ns, id, nil)
		if err != nil {
			return "", err
		}
		if !ok {
			return "there was no such id (nothing deleted)", nil
		}
		return "deleted", nil
	})
}

// createOp names the create of spec's index.
func createOp(spec CreateSpec) string {
	return fmt.Sprintf("create index %s (%d dims, %s, %s)", spec.Namespace, spec.Dims, spec.Distance, spec.Type)
}

// createCmd creates an index.
func createCmd(c common.Common, k *KeyMap, spec CreateSpec) tea.Cmd {
	op := createOp(spec)
	again := fmt.Sprintf("the index list refreshes every 5 s, %s now; %s again with the same definition is safe", k.Refresh.Help().Key, k.Create.Help().Key)
	return writeCmd(c, op, again, opDoneMsg{selectNS: spec.Namespace}, func(ctx context.Context) (string, error) {
		opts := spec.Opts
		created, err := c.Backend().VectorCreateIndex(ctx, spec.Namespace, spec.Dims, spec.Distance, spec.Type, &opts)
		switch {
		case errors.Is(err, client.ErrAlreadyExists):
			return "", fmt.Errorf("%w: %s exists with another definition (drop it first, or pick another name)", err, spec.Namespace)
		case err != nil:
			return "", err
		case !created:
			return "an identical index already exists (nothing changed)", nil
		}
		return "created", nil
	})
}

// dropOp names the drop of ns's index.
func dropOp(ns string) string { return "drop index " + ns }

// dropCmd drops an index.
func dropCmd(c common.Common, k *KeyMap, ns string) tea.Cmd {
	op := dropOp(ns)
	again := fmt.Sprintf("the index list refreshes every 5 s, %s now; %s again is safe: it says whether there was such an index", k.Refresh.Help().Key, k.Drop.Help().Key)
	return writeCmd(c, op, again, opDoneMsg{dropped: ns}, func(ctx context.Context) (string, error) {
		ok, err := c.Backend().VectorDropIndex(ctx, ns, nil)
		if err != nil {
			return "", err
		}
		if !ok {
			return "there was no such index (nothing dropped)", nil
		}
		return "dropped", nil
	})
}

// importTimeout bounds an import: a base plus a budget per vector.
func importTimeout(n int) time.Duration { return 30*time.Second + time.Duration(n)*5*time.Millisecond }

// importOp names the import of path into ns.
func importOp(ns, path string) string { return fmt.Sprintf("import %s into %s", path, ns) }

// importCmd reads a vector file and upserts its vectors, 16 at a time.
func importCmd(c common.Common, k *KeyMap, ns, path string, dims int) tea.Cmd {
	op := importOp(ns, path)
	if err := writeCheck(c); err != nil {
		return common.MsgCmd(opDoneMsg{res: common.OpResultMsg{Op: op, Err: fmt.Errorf("%s: %w", op, err)}})
	}
	return func() tea.Msg {
		start := time.Now()
		done := opDoneMsg{res: common.OpResultMsg{Op: op}}
		items, err := ReadVectorFile(path, dims)
		if err != nil {
			done.res.Err = fmt.Errorf("%s: %w", op, err)
			return done
		}
		ctx, cancel := context.WithTimeout(context.Background(), importTimeout(len(items)))
		defer cancel()
		n, err := c.Backend().VectorInsertMany(ctx, ns, items, 0)
		done.res.Latency = time.Since(start)
		switch {
		case err != nil && common.OutcomeUnknown(err):
			done.res.Err = fmt.Errorf("%s: %d of %d vectors written, then an outcome unknown: the next ones may have been applied (%s again loads the file safely, upserts): %w", op, n, len(items), k.Import.Help().Key, err)
			return done
		case err != nil:
			done.res.Err = fmt.Errorf("%s: %d of %d vectors written, then: %w", op, n, len(items), err)
			return done
		}
		done.res.Info = fmt.Sprintf("upserted %d vectors of %d dimensions", n, len(items[0].Vector))
		return done
	}
}

// track counts op as sent and not answered yet (the title shows it) until
// its opDoneMsg: a write waiting on a cluster that does not answer shows
// it is under way instead of nothing.
func (m *Model) track(op string, cmd tea.Cmd) tea.Cmd {
	m.inFlight = append(m.inFlight, op)
	return cmd
}

// answered drops op from the writes under way.
func (m *Model) answered(op string) {
	if i := slices.Index(m.inFlight, op); i >= 0 {
		m.inFlight = slices.Delete(m.inFlight, i, i+1)
	}
}
