package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/client/internal/pool"
)

// Leader hint metadata keys (PROTOCOL §4 and §6), looked up in the trailer
// and then the header.
const (
	hintKey    = "leader-hint"
	altHintKey = "x-norikv-leader"
)

// call describes one logical request for the request loop.
type call struct {
	op    opKind
	shard int // routing shard; -1 for "any node"
	// consistency is true when the request carries a consistency string, so
	// an "unknown consistency level" answer switches vocabulary.
	consistency bool
	ifMatch     *Version
	// pinned sends every attempt to this address and makes a single attempt;
	// the caller handles failures (used by the scan fan-out).
	pinned string
	// anyReplica spreads the call over the shard's replicas instead of
	// going to its leader first (stale_ok reads: any replica may answer).
	anyReplica bool
}

// attemptFunc performs one RPC against node n with the given call options.
type attemptFunc func(ctx context.Context, n *pool.Node, opts []grpc.CallOption) error

// callMD holds the header/trailer destinations of one attempt; pooled so
// the attempts that ask for them do not allocate them.
//
// Most attempts do not ask: grpc.Header and grpc.Trailer cost 6 of the 10
// allocations the client added to a raw Get (two metadata copies, the
// options slices), and their only use is the leader hint of a NOT_LEADER
// answer. So an attempt asks for them only when its node answered
// NOT_LEADER in the last captureFor (a follower, or a leader that just
// stepped down), or when the call already met a NOT_LEADER. A NOT_LEADER
// answer that was not captured is asked again at once, with them, from the
// same node: one more round trip per redirect, none per successful call.
type callMD struct {
	hdr, trl metadata.MD
	opts     [2]grpc.CallOption
}

func newCallMD() any {
	m := &callMD{}
	m.opts[0] = grpc.Header(&m.hdr)
	m.opts[1] = grpc.Trailer(&m.trl)
	return m
}

// captureFor is how long a node that answered NOT_LEADER has its answers'
// metadata captured.
const captureFor = 10 * time.Second

// hint returns the leader hint of the last attempt, "" when there is none.
func (m *callMD) hint() string {
	for _, md := range [2]metadata.MD{m.trl, m.hdr} {
		for _, k := range [2]string{hintKey, altHintKey} {
			if v := md[k]; len(v) > 0 && v[0] != "" {
				return strings.TrimSpace(v[0])
			}
		}
	}
	return ""
}

// outcome classifies a failed attempt.
type outcome int

const (
	fatal      outcome = iota // return the mapped error
	redirect                  // NOT_LEADER: follow the hint or relocate
	retryHere                 // transient; retry the same node after a backoff
	retryElse                 // transport failure; relocate after a backoff
	moveOn                    // the attempt timed out: suspect the node, relocate at once
	flipVocab                 // switch consistency vocabulary and retry at once
	ctxDone                   // the caller's context ended
	clientDone                // the client was closed
)

// classify maps a failed attempt to what the loop does next and, for
// retried failures, the budget class it spends.
func (c *Client) classify(ctx context.Context, cl *call, st *status.Status) (outcome, retryClass) {
	msg := st.Message()
	switch st.Code() {
	case codes.Unavailable:
		if isNotLeader(msg) {
			return redirect, classNotLeader
		}
		if looksLikeTransport(msg) {
			return retryElse, classConnect
		}
		return retryElse, classUnavailable
	case codes.FailedPrecondition:
		if isNotLeader(msg) {
			return redirect, classNotLeader // vector quirk: "Not leader" is a redirect, not a CAS failure
		}
	case codes.Aborted:
		return retryHere, classUnavailable
	case codes.DeadlineExceeded:
		if callerDone(ctx) != nil {
			return ctxDone, 0
		}
		return moveOn, classTimeout
	case codes.Canceled:
		if ctx.Err() != nil {
			return ctxDone, 0
		}
		if c.closed.Load() {
			return clientDone, 0
		}
		return retryElse, classConnect // the connection was closed under us (node dropped)
	case codes.InvalidArgument:
		if cl.consistency && containsFold(msg, "consistency level") {
			return flipVocab, 0
		}
	}
	// ResourceExhausted (too large, over a quota) and InvalidArgument would
	// fail the same way again: never retried.
	return fatal, 0
}

// callerDone is the caller's context error, also in the moment after its
// deadline passed and before the context noticed: gRPC reads the deadline
// itself and can answer DeadlineExceeded first, and that answer is the
// caller's deadline, not a timed-out attempt to retry elsewhere.
func callerDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

func isNotLeader(msg string) bool {
	return strings.Contains(msg, "NOT_LEADER") || containsFold(msg, "not leader") || containsFold(msg, "not the leader")
}

// looksLikeTransport tells gRPC's own connection failures from an
// UNAVAILABLE a server chose to send.
func looksLikeTransport(msg string) bool {
	for _, s := range [...]string{"connection", "transport", "dial", "connect:", "eof", "handshake"} {
		if containsFold(msg, s) {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}

// invoke runs fn through the request loop and records the call's metrics.
func (c *Client) invoke(ctx context.Context, cl *call, fn attemptFunc) error {
	if c.closed.Load() {
		return ErrClosed
	}
	start := time.Now()
	if done, err := c.firstAttempt(ctx, cl, fn, start); done {
		return err
	}
	end, err := c.loop(ctx, cl, fn, start, nil)
	c.finish(cl, start, end, err)
	return err
}

// finish records a call that went through the request loop: end is when
// its last attempt ended (the zero time: now).
func (c *Client) finish(cl *call, start, end time.Time, err error) {
	d := end.Sub(start)
	if end.IsZero() {
		d = time.Since(start)
	}
	c.record(&c.m.ops[cl.op], c.m.stripes.Index(), start, d, err != nil)
	if err != nil {
		c.m.codes.Add(codeOf(err))
	}
}

// loopState is what one call's request loop remembers between attempts.
type loopState struct {
	attempts   int
	redirects  int
	flips      int
	spent      budget
	tried      addrSet // nodes that failed or refused this call
	capture    bool    // ask every attempt for header and trailer (a NOT_LEADER was met)
	lastStatus *status.Status
	lastAddr   string
	lastHint   string
	// failed and failedAddr are the last attempt that failed on its own
	// (not cut by the caller's context), for ctxErrorAfter.
	failed     *status.Status
	failedAddr string
	// hintAddr is the address the last leader hint resolved to, and
	// hintErr why an attempt there failed ("" if none did): the shard has
	// a leader, named by the other nodes, that this client cannot reach.
	hintAddr string
	hintErr  string
}

// run is the request loop: locate -> send -> classify. start is when the
// call began (invoke's clock reading, reused as the first attempt's send
// time); on success run returns when the last attempt ended, so the call's
// latency and the node's come from the same two readings (the zero time
// otherwise: invoke reads the clock itself).
//
// At 64 callers on two cores the client's own CPU per call is throughput,
// so the success path reads the clock twice and touches the callMD pool
// only when an attempt asks for header and trailer.
func (c *Client) run(ctx context.Context, cl *call, fn attemptFunc, start time.Time) (time.Time, error) {
	return c.loop(ctx, cl, fn, start, nil)
}

// sentAttempt is a first attempt that firstAttempt sent and that failed:
// the loop takes it from there.
type sentAttempt struct {
	addr     string
	n        *pool.Node
	err      error
	timedOut bool
}

// firstAttempt sends a call's first attempt on the common path (the shard's
// cached leader, no metadata to capture) and reports whether it did: then
// the call is done and recorded, on success at once, and on failure after
// the request loop continued from it. Otherwise it sends nothing and the
// loop starts over.
//
// It is the loop's first iteration with nothing else: at 64 callers on two
// cores, the bytes of stack each call touches cost CPU (64 goroutines'
// stacks do not stay in cache), and the loop's frame (864 bytes, its state
// zeroed on entry) made 64-caller Get cost ~3% more CPU per op than this
// path does.
//
// A successful call reads the clock twice (time.Now at start, time.Since,
// which reads only the monotonic clock, at the end) and writes its node's
// and its operation's counters on one stripe (metrics.Stripes).
func (c *Client) firstAttempt(ctx context.Context, cl *call, fn attemptFunc, start time.Time) (bool, error) {
	leaders := c.sh().leaders
	if cl.pinned != "" || cl.anyReplica || cl.shard < 0 || cl.shard >= len(leaders) || ctx.Err() != nil {
		return false, nil
	}
	e := leaders[cl.shard].Load()
	if e == nil || e.addr == "" {
		return false, nil
	}
	n, ok := c.pool.Lookup(e.addr)
	if !ok || n.DownAt(start.UnixNano()) || n.CaptureMetadata(start.UnixNano()) {
		return false, nil
	}
	actx, bound := c.attemptContext(ctx, c.cfg.Timeout, start)
	err := fn(actx, n, nil)
	d := time.Since(start)
	stripe := c.m.stripes.Index()
	// Ran across a stall of the process? (false at once under a second)
	suspended := c.stalls.spanned(start, d)
	c.m.nodes.attempt(stripe, cl.op, e.addr, d, err != nil, suspended) // Stats.NodeOps
	timedOut := bound.stop()
	if err == nil {
		n.MarkUp()
		if suspended {
			c.m.ops[cl.op].DoneSuspended(false)
		} else {
			c.m.ops[cl.op].DoneOn(stripe, d, false)
		}
		return true, nil
	}
	end, err := c.loop(ctx, cl, fn, start, &sentAttempt{addr: e.addr, n: n, err: err, timedOut: timedOut})
	c.finish(cl, start, end, err)
	return true, err
}

// loop is run's request loop; first, when set, is a first attempt already
// sent (by firstAttempt) that failed.
func (c *Client) loop(ctx context.Context, cl *call, fn attemptFunc, start time.Time, first *sentAttempt) (time.Time, error) {
	op := opNames[cl.op]
	om := &c.m.ops[cl.op]
	addr := cl.pinned
	var ls loopState
	sentOnce := false // the first attempt is sent at start
	var md *callMD    // from c.mdPool once an attempt captures metadata
	defer func() {
		if md != nil {
			c.mdPool.Put(md)
		}
	}()
	for {
		var (
			n        *pool.Node
			err      error
			limit    = c.cfg.Timeout
			capture  bool
			timedOut bool
		)
		if first != nil {
			// Sent by firstAttempt: the cached leader, Config.Timeout,
			// no capture.
			addr, n, err, timedOut = first.addr, first.n, first.err, first.timedOut
			first = nil
			sentOnce = true
			ls.attempts++
		} else {
			if c.closed.Load() {
				return time.Time{}, ErrClosed
			}
			if err := callerDone(ctx); err != nil {
				return time.Time{}, ctxErrorAfter(op, err, &ls)
			}
			if addr == "" {
				addr = c.locate(cl.shard, &ls.tried, cl.anyReplica)
			}
			n, err = c.pool.Get(addr)
			if err != nil {
				return time.Time{}, ErrClosed // the pool only fails once closed
			}
			if ls.spent.per[classTimeout] > 0 {
				// After a timeout the next node may be a follower holding
				// the request until the election ends (our server waits up
				// to an election timeout for a leader): give it longer, so
				// the call succeeds when the cluster fails over instead of
				// timing out on every node.
				limit = 2 * c.cfg.Timeout
			}
			sent := start
			if sentOnce {
				sent = time.Now()
			}
			sentOnce = true
			actx, bound := c.attemptContext(ctx, limit, sent)
			// A nil slice, not md.opts[:0]: a caller appending its own
			// option must not write into the pooled array.
			var opts []grpc.CallOption
			capture = cl.pinned == "" && (ls.capture || n.CaptureMetadata(sent.UnixNano()))
			if capture {
				if md == nil {
					md = c.mdPool.Get().(*callMD)
				}
				md.hdr, md.trl = nil, nil
				opts = md.opts[:]
			}
			err = fn(actx, n, opts)
			end := time.Now()
			took := end.Sub(sent)
			c.m.nodes.attempt(c.m.stripes.Index(), cl.op, addr, took, err != nil, c.stalls.spanned(sent, took)) // Stats.NodeOps
			timedOut = bound.stop()
			ls.attempts++
			if err == nil {
				n.MarkUp()
				return end, nil
			}
		}
		st, ok := status.FromError(err)
		if !ok {
			st = status.New(codes.Unknown, err.Error())
		}
		if timedOut && ctx.Err() == nil {
			st = status.New(codes.DeadlineExceeded, "attempt timed out after "+limit.String()+
				" (Config.Timeout, doubled after a first timeout); the node may be hung or overloaded")
		}
		ls.lastStatus, ls.lastAddr = st, addr
		class, rc := c.classify(ctx, cl, st)
		if class != ctxDone && class != clientDone {
			ls.failed, ls.failedAddr = st, addr
		}
		if cl.pinned != "" && class != ctxDone && class != clientDone {
			switch class {
			case moveOn:
				c.suspect(n)
			case retryElse:
				n.MarkFailed(suspectFor(c.cfg.Timeout))
			}
			return time.Time{}, errorFromStatus(op, st, addr, cl.ifMatch)
		}
		switch class {
		case ctxDone:
			return time.Time{}, ctxErrorAfter(op, callerDone(ctx), &ls)
		case clientDone:
			return time.Time{}, ErrClosed
		case flipVocab:
			ls.flips++
			if ls.flips > 2 {
				return time.Time{}, errorFromStatus(op, st, addr, cl.ifMatch)
			}
			n.AltVocab.Store(!n.AltVocab.Load())
			continue
		case redirect:
			if !capture {
				// The hint was not captured (see callMD): ask again. It
				// is the same attempt, asked twice: not counted again.
				n.CaptureMetadataFor(captureFor)
				ls.capture = true
				ls.attempts--
				continue
			}
			ls.redirects++
			om.Redirects.Add(1)
			hint := md.hint()
			if hint != "" {
				ls.lastHint = hint
			}
			if ls.redirects > c.cfg.MaxRedirects {
				return time.Time{}, c.noLeader(op, cl, &ls, "too many NOT_LEADER redirects ("+st.Message()+")")
			}
			ls.tried.add(addr)
			id, target := c.resolveHint(hint)
			if target != "" {
				ls.hintAddr = target
			}
			if target != "" && !ls.tried.has(target) && !c.pool.IsDown(target) {
				c.cacheLeader(cl.shard, id, target)
				addr = target
				continue // follow the hint at once, no sleep
			}
			c.forgetLeader(cl.shard, addr)
			c.refreshTopology()
			addr = ""
		case moveOn:
			// A hung node would hang the retry too: suspect it (routing
			// avoids it while others can serve, hints to it are not
			// followed; it counts as unreachable once it fails to answer
			// a check too) and go to the view's leader or another replica.
			ls.noteHintFailed(addr, st)
			c.suspect(n)
			ls.tried.add(addr)
			c.forgetLeader(cl.shard, addr)
			addr = ""
		case retryElse:
			ls.noteHintFailed(addr, st)
			n.MarkFailed(downFor)
			ls.tried.add(addr)
			c.forgetLeader(cl.shard, addr)
			addr = ""
		case retryHere:
		default:
			return time.Time{}, errorFromStatus(op, st, addr, cl.ifMatch)
		}
		wait, ok := c.spend(&ls.spent, rc)
		if !ok {
			if rc == classNotLeader {
				return time.Time{}, c.noLeader(op, cl, &ls, "")
			}
			return time.Time{}, errorFromStatus(op, ls.lastStatus, ls.lastAddr, cl.ifMatch)
		}
		om.Retries.Add(1)
		if wait > 0 && !c.backoff(ctx, wait) {
			if c.closed.Load() {
				return time.Time{}, ErrClosed
			}
			return time.Time{}, ctxErrorAfter(op, ctx.Err(), &ls)
		}
		if ls.tried.full() {
			ls.tried.reset()
		}
	}
}

// ctxErrorAfter is ctxError for a call whose context ended after attempts
// that failed: it says what the last of them met. Found in tmux: a Put to a
// group without a majority, bounded by the console's request timeout, said
// only "context deadline exceeded" (the shell's, unbounded, said after 37 s
// that no node knew a leader).
func ctxErrorAfter(op string, err error, ls *loopState) error {
	if ls.failed == nil {
		return ctxError(op, err)
	}
	last := ls.failed.Message()
	if last == "NOT_LEADER" {
		last = "NOT_LEADER, no leader named (an election, or no majority of the shard's replicas up)"
		if ls.lastHint != "" {
			last = "NOT_LEADER, leader named " + ls.lastHint
		}
	}
	code := codes.Canceled
	if errors.Is(err, context.DeadlineExceeded) {
		code = codes.DeadlineExceeded
	}
	return newError(op, code, fmt.Sprintf("%s (after %d attempts; the last failed at %s: %s)", err, ls.attempts, ls.failedAddr, last), err)
}

// noLeader builds the error for a call that ran out of attempts on
// NOT_LEADER answers.
func (c *Client) noLeader(op string, cl *call, ls *loopState, detail string) error {
	msg := "no leader"
	if detail != "" {
		msg = detail
	} else if ls.lastStatus != nil {
		msg = ls.lastStatus.Message()
	}
	return &NoLeaderError{Shard: cl.shard, LastHint: ls.lastHint, Addr: ls.lastAddr, Attempts: ls.attempts,
		HintedLeaderErr: ls.hintErr, err: newError(op, codes.Unavailable, msg, nil)}
}

// noteHintFailed remembers why an attempt at the hinted leader failed.
func (ls *loopState) noteHintFailed(addr string, st *status.Status) {
	if addr != "" && addr == ls.hintAddr {
		ls.hintErr = st.Message()
	}
}

// suspect handles an attempt that timed out on n. Routing avoids n for
// suspectFor at once, but the node counts as unreachable (Stats, the
// cluster view: what the console shows) only if it then also fails to
// answer a check, a view read within Config.Timeout, run in the
// background: a call held by a group without a majority or a leader times
// out on a node that answers everything else, and flagging it made the
// console call a live node unreachable until its next poll (found with two
// of three serve processes stopped). A node that answers the check is used
// again at once; one that does not is marked failed by the check and the
// watch leaves it if it is on it.
func (c *Client) suspect(n *pool.Node) {
	n.Avoid(suspectFor(c.cfg.Timeout))
	if !n.ClaimProbe() {
		return
	}
	addr := n.Addr
	c.goBackground(func() {
		defer n.ProbeDone()
		if _, _, err := c.fetchView(c.ctx, addr); err == nil {
			return // fetchView marked it up: it answers
		}
		c.kickWatchIfOn(addr)
	})
}

// suspectFor is how long a node whose attempt timed out is avoided: long
// enough for the cluster to elect a new leader (so requests follow it), not
// so long that a node that was merely slow stays unused.
func suspectFor(timeout time.Duration) time.Duration {
	return min(max(2*timeout, time.Second), 10*time.Second)
}

// backoff waits d, or less if ctx ends or the client is closed; it reports
// whether the full wait passed.
func (c *Client) backoff(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-c.ctx.Done():
		return false
	}
}

// codeOf returns the gRPC code an error from the client stands for.
func codeOf(err error) codes.Code {
	if errors.Is(err, ErrClosed) {
		return codes.Canceled
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return status.Code(err)
}
