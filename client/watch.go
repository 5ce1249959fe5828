package client

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// unimplementedRetry is how long the watch waits before asking again when
// no node implements Meta.WatchCluster.
const unimplementedRetry = 5 * time.Second

// clusterIDHeader names the cluster in WatchCluster's response headers
// (PROTOCOL §4); a different id means the cluster was replaced.
const clusterIDHeader = "x-norikv-cluster-id"

// groupsHeader is our server's WatchCluster response header giving its
// replication group count (decimal; our extension, not in PROTOCOL): the
// idempotency keys are then drawn inside the write's group (idemkeys.go).
// Other servers do not send it.
const groupsHeader = "x-norikv-groups"

// streamHeader is what a WatchCluster stream's response header said.
type streamHeader struct {
	clusterID string // x-norikv-cluster-id, "" when the server sends none
	groups    int    // x-norikv-groups, 0 when absent or not a count
	// notCurrent is the x-norikv-view-not-current header: why the node's
	// view is not kept current ("" when it is, or from older servers,
	// which say it only in the trailer).
	notCurrent string
}

// notCurrentTrailer is the WatchCluster trailer of a stream that its node
// ended because its view is not kept current (it cannot write its Raft log
// or has not heard from the metadata group's leader); the value says why.
// Such a node is up, only behind: it is not marked failed, and the watch
// looks for another node, waiting its backoff before asking it again.
const notCurrentTrailer = "x-norikv-view-not-current"

// Reasons a watch stream is abandoned by the client.
var (
	errNoFirstView = errors.New("no cluster view within Config.Timeout")
	errSilent      = errors.New("watch stream silent past Config.WatchSilence although the server repeats views")
	errBehind      = errors.New("watch stream silent while another node has a newer epoch")
	errKicked      = errors.New("a request to the watched node timed out")
	errNotCurrent  = errors.New("the watched node's view of the cluster is not kept current")
)

// watchCandidates lists the addresses to watch from: the view's nodes (alive
// first), then the seeds, without duplicates.
func (c *Client) watchCandidates() []string {
	seen := make(map[string]bool)
	var out []string
	if t := c.topo.Load(); t != nil {
		for _, a := range t.nodeAddrs() {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	for _, a := range c.cfg.Nodes {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// watchAddr is the address the watch streams from, "" before it started.
func (c *Client) watchAddr() string {
	if p := c.watchNode.Load(); p != nil {
		return *p
	}
	return ""
}

func (c *Client) lastWatchAddr() string {
	if p := c.watchNode.Load(); p != nil {
		return *p
	}
	if len(c.cfg.Nodes) > 0 {
		return c.cfg.Nodes[0]
	}
	return ""
}

// watchLoop keeps one WatchCluster stream open, from one node at a time.
// Each (re)start asks every candidate in parallel for its current view, each
// within Config.Timeout, and streams from the first that answers: a black
// hole or a mute node among the seeds costs at most one Timeout, never the
// whole watch.
func (c *Client) watchLoop() {
	failures := 0
	var leaving string
	for c.ctx.Err() == nil {
		addr, unimplemented, err := c.probeRound(leaving)
		if c.ctx.Err() != nil {
			return
		}
		if addr == "" {
			failures++
			delay := c.policy.Delay(failures)
			if unimplemented {
				// No node has Meta: let Connect return and route by redirects.
				c.firstOnce.Do(func() { close(c.firstView) })
				delay = unimplementedRetry
			} else if c.topo.Load() == nil {
				c.reportUnreachable(err)
			}
			if !sleepCtx(c.ctx, delay) {
				return
			}
			continue
		}
		a := addr
		c.watchNode.Store(&a)
		// Connect returns once a view is in and the watch has its node:
		// a view its node vouches for, or the only one there is. A node
		// cut off from the cluster answers with its last view, saying it
		// is not current; Connect returned with it (watch printed it as
		// its snapshot, then the change to the current one from another
		// node). Its stream ends at once and the next round asks the
		// view's other nodes, avoiding it; only when none of them answers
		// is its view the one Connect returns with.
		behind := c.probeNotCurrent(addr)
		if !behind {
			// A current node: what the node left before said about its
			// view is not this one's.
			if p := c.notCurrent.Load(); p != nil && p.addr != addr {
				c.notCurrent.CompareAndSwap(p, nil)
			}
		}
		if !behind || addr == leaving {
			c.firstOnce.Do(func() { close(c.firstView) })
		}
		got, err := c.watchOnce(addr)
		if c.ctx.Err() != nil {
			return
		}
		c.m.watchRestarts.Add(1)
		leaving = addr
		if got && !errors.Is(err, errNotCurrent) {
			failures = 0
			continue // the stream worked and broke: look again at once
		}
		// No view, or only a view its node said is not current: when that
		// node is the only one answering (the others down), asking it
		// again at once would spin.
		failures++
		if !sleepCtx(c.ctx, c.policy.Delay(failures)) {
			return
		}
	}
}

// noteProbeCurrent records whether a probe's answer from addr said its
// view is not current (why != "").
func (c *Client) noteProbeCurrent(addr, why string) {
	if why != "" {
		c.probeBehind.Store(addr, true)
	} else {
		c.probeBehind.Delete(addr)
	}
}

// probeNotCurrent reports whether addr's last probe answer said its view
// is not current.
func (c *Client) probeNotCurrent(addr string) bool {
	_, ok := c.probeBehind.Load(addr)
	return ok
}

// probeResult is one node's answer to a probe.
type probeResult struct {
	addr string
	err  error
}

// probeRound fetches the current view from every candidate in parallel,
// each bounded by Config.Timeout, applying what arrives. It returns the
// first node that answered with a view of the followed cluster, preferring
// any node but avoid; or "" with unimplemented=true when every node lacks
// Meta, else the errors. Probes still running when a winner is found are
// left to finish in the background: a hung node's probe then times out and
// marks it failed, so routing avoids it and ClusterView shows it
// unreachable.
//
// The first round (no view yet) holds the views back until every
// candidate answered, a majority of them named one cluster, or
// firstRoundGrace passed after the first view, and
// follows the cluster most seeds belong to (see chooseCluster): seeds that
// name nodes of two clusters used to make the client take whichever
// answered first, then the other, then settle (two "cluster replaced" in a
// second). The other cluster's addresses are refused from then on
// (OtherClusters).
func (c *Client) probeRound(avoid string) (addr string, unimplemented bool, err error) {
	cands := c.watchCandidates()
	results := make(chan probeAnswer, len(cands))
	for _, a := range cands {
		go func() {
			v, h, err := c.fetchView(c.ctx, a)
			if err == nil {
				c.noteProbeCurrent(a, h.notCurrent)
			}
			results <- probeAnswer{addr: a, view: v, id: h.clusterID, groups: h.groups, err: err}
		}()
	}
	first := c.topo.Load() == nil
	var (
		errs       []nodeErr
		unimpl     int
		avoidValid bool
		tlsFailed  bool
		held       []probeAnswer // the first round's views
		perCluster = map[string]int{}
		grace      <-chan time.Time
	)
	received := 0
collect:
	for received < len(cands) {
		var r probeAnswer
		select {
		case r = <-results:
		case <-grace:
			break collect
		}
		received++
		switch {
		case r.err == nil && first:
			held = append(held, r)
			if perCluster[r.id]++; 2*perCluster[r.id] > len(cands) {
				break collect // a majority of the seeds: nothing left can change the choice
			}
			if grace == nil {
				t := time.NewTimer(min(firstRoundGrace, c.cfg.Timeout))
				defer t.Stop()
				grace = t.C
			}
		case r.err == nil:
			if _, err := c.applyView(r.view, viewSource{clusterID: r.id, groups: r.groups, addr: r.addr}); err != nil {
				errs = append(errs, nodeErr{r.addr, err.Error()})
				continue
			}
			if r.addr != avoid {
				// The channel is buffered: stragglers never block, and end
				// within Config.Timeout or at Close.
				return r.addr, false, nil
			}
			avoidValid = true
		case isUnimplemented(r.err):
			unimpl++
		default:
			msg, isTLS := c.explainConnErr(r.err)
			tlsFailed = tlsFailed || isTLS
			errs = append(errs, nodeErr{r.addr, msg})
		}
	}
	if len(held) > 0 {
		chosen := chooseCluster(held, cands)
		sort.SliceStable(held, func(i, j int) bool { return held[i].id == chosen && held[j].id != chosen })
		for _, r := range held {
			if _, err := c.applyView(r.view, viewSource{clusterID: r.id, groups: r.groups, addr: r.addr}); err == nil && addr == "" {
				addr = r.addr
			}
		}
		// The seeds that had not answered when the choice was made: their
		// views are applied as they come (each probe ends within
		// Config.Timeout), so a seed of another cluster is still named in
		// OtherClusters (dropped before: the watch, settled, did not ask
		// it again).
		if rest := len(cands) - received; rest > 0 {
			c.goBackground(func() {
				for range rest {
					select {
					case r := <-results:
						if r.err == nil {
							_, _ = c.applyView(r.view, viewSource{clusterID: r.id, groups: r.groups, addr: r.addr})
						}
					case <-c.ctx.Done():
						return
					}
				}
			})
		}
		return addr, false, nil
	}
	if avoidValid {
		return avoid, false, nil
	}
	if unimpl > 0 && unimpl == len(cands) {
		return "", true, status.Error(codes.Unimplemented, "no node implements Meta.WatchCluster")
	}
	err = joinErrs(errs)
	if tlsFailed {
		err = tlsJoined{err}
	}
	return "", false, err
}

// tlsJoined marks a probe round's errors as including a TLS failure.
type tlsJoined struct{ error }

func (e tlsJoined) Is(target error) bool { return target == ErrTLS }

// reportUnreachable tells a waiting Connect that a full round of nodes
// failed before any view arrived. It never blocks.
func (c *Client) reportUnreachable(err error) {
	var cause error
	if errors.Is(err, ErrTLS) {
		cause = ErrTLS
	}
	select {
	case c.unreachable <- &ConnectionError{Addr: c.lastWatchAddr(), err: newError("connect", codes.Unavailable,
		"no node answered the topology watch within Config.Timeout ("+c.cfg.Timeout.String()+"): "+errString(err), cause)}:
	default:
	}
}

// recvView reads the next view and, after the first, the stream's header:
// cluster id and group count (headers are complete once a message arrived;
// asking before could block on a mute node).
func recvView(stream grpc.ServerStreamingClient[norikvpb.ClusterView]) (*norikvpb.ClusterView, streamHeader, error) {
	v, err := stream.Recv()
	if err != nil {
		return nil, streamHeader{}, err
	}
	var h streamHeader
	if md, err := stream.Header(); err == nil {
		if vals := md.Get(clusterIDHeader); len(vals) > 0 {
			h.clusterID = vals[0]
		}
		if vals := md.Get(groupsHeader); len(vals) > 0 {
			if g, err := strconv.Atoi(vals[0]); err == nil && g > 0 {
				h.groups = g
			}
		}
		if vals := md.Get(notCurrentTrailer); len(vals) > 0 {
			h.notCurrent = vals[0]
		}
	}
	return v, h, nil
}

// refreshTopology fetches one view from a node other than the watched one,
// in the background, at most one at a time. Used when a NOT_LEADER came
// without a hint: the watched node may be behind.
func (c *Client) refreshTopology() {
	if c.closed.Load() || !c.refreshing.CompareAndSwap(false, true) {
		return
	}
	started := c.goBackground(func() {
		defer c.refreshing.Store(false)
		watched := c.lastWatchAddr()
		for _, addr := range c.watchCandidates() {
			if addr == watched && !c.cfg.DisableWatch {
				continue
			}
			if c.pool.IsDown(addr) {
				continue
			}
			if c.fetchViewCtx(c.ctx, addr) == nil {
				return
			}
		}
	})
	if !started {
		c.refreshing.Store(false)
	}
}

// fetchViewCtx reads the first (current) view from addr within
// Config.Timeout and applies it. A node that does not answer in time is
// marked failed, so routing and the watch avoid it for a while.
func (c *Client) fetchViewCtx(ctx context.Context, addr string) error {
	_, err := c.fetchEpoch(ctx, addr)
	return err
}

// fetchEpoch is fetchViewCtx that also returns the view's epoch.
func (c *Client) fetchEpoch(ctx context.Context, addr string) (uint64, error) {
	v, h, err := c.fetchView(ctx, addr)
	if err != nil {
		return 0, err
	}
	if _, err := c.applyView(v, viewSource{clusterID: h.clusterID, groups: h.groups, addr: addr}); err != nil {
		return 0, err
	}
	return v.GetEpoch(), nil
}

// fetchView reads addr's current view and stream header within
// Config.Timeout, without applying it. A node that does not answer in time
// is marked failed, so routing and the watch avoid it for a while.
func (c *Client) fetchView(ctx context.Context, addr string) (*norikvpb.ClusterView, streamHeader, error) {
	n, err := c.pool.Get(addr)
	if err != nil {
		return nil, streamHeader{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	stream, err := n.Meta.WatchCluster(ctx, &norikvpb.ClusterView{})
	if err == nil {
		var v *norikvpb.ClusterView
		var h streamHeader
		v, h, err = recvView(stream)
		if err == nil {
			n.MarkUp()
			return v, h, nil
		}
	}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		n.MarkFailed(suspectFor(c.cfg.Timeout)) // hung or black hole: avoid it for a while
	case status.Code(err) == codes.Unavailable && c.ctx.Err() == nil:
		n.MarkFailed(downFor) // refused: cheap to try again soon
	}
	if ctx.Err() == context.DeadlineExceeded {
		return nil, streamHeader{}, errors.New("no view within Config.Timeout (" + c.cfg.Timeout.String() + "): node hung, mute or unreachable")
	}
	return nil, streamHeader{}, err
}

func isUnimplemented(err error) bool {
	return err != nil && status.Code(err) == codes.Unimplemented
}

// sleepCtx waits d or until ctx ends; it reports whether the full wait passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// kickWatchIfOn makes the watch leave addr (an attempt there timed out: the
// node may be hung, and its stream with it).
func (c *Client) kickWatchIfOn(addr string) {
	if p := c.watchNode.Load(); p != nil && *p == addr {
		select {
		case c.watchKick <- struct{}{}:
		default:
		}
	}
}

// nodeErr is one node's failure in a round of probes.
type nodeErr struct{ addr, msg string }

// joinErrs joins node failures on one line, grouping nodes that failed the
// same way ("a, b: x; c: y"), so a cluster-wide TLS mistake reads once.
func joinErrs(errs []nodeErr) error {
	if len(errs) == 0 {
		return nil
	}
	var order []string
	addrs := map[string][]string{}
	for _, e := range errs {
		if _, ok := addrs[e.msg]; !ok {
			order = append(order, e.msg)
		}
		addrs[e.msg] = append(addrs[e.msg], e.addr)
	}
	parts := make([]string, len(order))
	for i, m := range order {
		parts[i] = strings.Join(addrs[m], ", ") + ": " + m
	}
	return errors.New(strings.Join(parts, "; "))
}
