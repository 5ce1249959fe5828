package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// replacedAfter is how long a stream from a server without cluster ids must
// keep sending epochs below the client's before the client concludes the
// cluster was replaced (restarted without its data). A node that is merely
// behind catches up well within it.
const replacedAfter = 5 * time.Second

// streamState is what the watchdog knows about one watch stream.
type streamState struct {
	lastRecv  atomic.Int64  // unix ns of the last message (or of the start)
	lastEpoch atomic.Uint64 // epoch of the last message
	got       atomic.Bool   // at least one message arrived
	repeats   atomic.Bool   // the server repeats views (heartbeats)

	mu        sync.Mutex
	backSince time.Time // first of a run of views older than the client's
	backView  *norikvpb.ClusterView
	backID    string
}

func (s *streamState) touch() { s.lastRecv.Store(time.Now().UnixNano()) }

// silenceUpTo is how long the stream had been silent at t.
func (s *streamState) silenceUpTo(t time.Time) time.Duration {
	return t.Sub(time.Unix(0, s.lastRecv.Load()))
}

// received records a message; an epoch not above the stream's last one is a
// repeat, which proves the server sends heartbeats.
func (s *streamState) received(epoch uint64) {
	if s.got.Load() && epoch <= s.lastEpoch.Load() {
		s.repeats.Store(true)
	}
	s.lastEpoch.Store(epoch)
	s.got.Store(true)
	s.touch()
}

// watchOnce streams views from addr until the stream breaks or the watchdog
// abandons it. It reports whether at least one view arrived.
func (c *Client) watchOnce(addr string) (bool, error) {
	n, err := c.pool.Get(addr)
	if err != nil {
		return false, err
	}
	select {
	case <-c.watchKick: // meant for an earlier stream
	default:
	}
	ctx, cancel := context.WithCancelCause(c.ctx)
	defer cancel(nil)
	st := &streamState{}
	st.touch()
	stream, err := n.Meta.WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		return false, err
	}
	dogDone := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.watchdog(ctx, cancel, n, st, dogDone)
	}()
	defer func() {
		close(dogDone)
		wg.Wait()
	}()
	for {
		v, h, err := recvView(stream)
		if err != nil {
			if cause := context.Cause(ctx); ctx.Err() != nil && c.ctx.Err() == nil && cause != nil {
				return st.got.Load(), cause
			}
			if why := stream.Trailer().Get(notCurrentTrailer); len(why) > 0 {
				c.notCurrent.Store(&notCurrentNote{addr: addr, why: why[0]})
				return st.got.Load(), fmt.Errorf("%w: %s", errNotCurrent, why[0])
			}
			return st.got.Load(), err
		}
		n.MarkUp()
		if st.got.Load() {
			// A second message: this stream is live (a node whose view
			// is not current sends one view and ends).
			c.notCurrent.Store(nil)
		}
		st.received(v.GetEpoch())
		if st.repeats.Load() && !n.RepeatsViews.Load() {
			n.RepeatsViews.Store(true)
		}
		if err := c.applyStreamView(addr, v, h, st); err != nil {
			return st.got.Load(), err // another cluster's node: watch elsewhere
		}
	}
}

// applyStreamView applies v and tracks runs of older epochs from servers
// without cluster ids: such a run lasting replacedAfter means a new cluster.
// It returns the *OtherClusterError of a node that answers as another
// cluster's.
func (c *Client) applyStreamView(addr string, v *norikvpb.ClusterView, h streamHeader, st *streamState) error {
	id := h.clusterID
	accepted, err := c.applyView(v, viewSource{clusterID: id, groups: h.groups, addr: addr})
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	cur := c.topo.Load()
	if accepted || cur == nil || v.GetEpoch() >= cur.view.Epoch || (id != "" && cur.clusterID != "") {
		st.backSince, st.backView = time.Time{}, nil
		return nil
	}
	if st.backSince.IsZero() {
		st.backSince = time.Now()
	}
	st.backView, st.backID = v, id
	c.checkReplacedLocked(st)
	return nil
}

// checkReplacedLocked accepts the stream's older view as a replaced cluster
// once the run of older epochs lasted replacedAfter. st.mu is held.
func (c *Client) checkReplacedLocked(st *streamState) {
	if st.backView == nil || time.Since(st.backSince) < c.replacedAfter {
		return
	}
	c.applyView(st.backView, viewSource{clusterID: st.backID, replaced: true})
	st.backSince, st.backView = time.Time{}, nil
}

// stalledAfter: a watchdog tick this late (ticks are at most 250 ms apart)
// means the process did not run meanwhile.
const stalledAfter = time.Second

// watchdog abandons a stream that proves nothing about its node any more:
// no first view within Config.Timeout; silence past Config.WatchSilence
// from a server that repeats views (its node has stopped); silence from a
// server that does not repeat while another node has a newer epoch; or a
// request to the node that timed out (kick). gRPC keepalive covers a dead
// connection in all cases.
//
// A tick more than stalledAfter late is a stall: the process did not run
// for a while (SIGSTOP, Ctrl-Z, a paused VM, a starved machine), nor did
// the stream's reader, and what the node sent meanwhile may wait unread in
// the socket. So for WatchSilence after a stall the silence is counted up
// to the last tick before it (the process ran then, and the reader with
// it, which drains the socket whenever it runs), not up to now: the stall
// itself, which the reader may not have had, is not the node's silence.
// Nor does a stall reset the silence (it did: a watchdog late on every
// tick, on a process stopped and continued again and again or a starved
// machine, never dropped a node that was really silent): the silence up
// to each last tick grows while the node sends nothing, and judging it
// there is late by one stall at most.
func (c *Client) watchdog(ctx context.Context, cancel context.CancelCauseFunc, n *pool.Node, st *streamState, done <-chan struct{}) {
	silence := c.cfg.WatchSilence
	tick := min(c.cfg.Timeout, silence) / 4
	tick = min(max(tick, 10*time.Millisecond), 250*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()         // the previous tick
	var stalled, ran time.Time // the end of the last stall; the last tick before it
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-c.watchKick:
			cancel(errKicked)
			return
		case <-t.C:
		}
		now := time.Now()
		if now.Sub(last) > stalledAfter {
			stalled, ran = now, last
		}
		last = now
		upTo := now
		if !stalled.IsZero() && now.Sub(stalled) < silence {
			upTo = ran
		}
		quiet := st.silenceUpTo(upTo)
		switch {
		case !st.got.Load() && quiet > c.cfg.Timeout:
			n.MarkFailed(suspectFor(c.cfg.Timeout))
			cancel(errNoFirstView)
			return
		case quiet > silence && (st.repeats.Load() || n.RepeatsViews.Load()):
			n.MarkFailed(suspectFor(c.cfg.Timeout))
			cancel(errSilent)
			return
		case quiet > silence && st.got.Load():
			// Silence from a server that never repeats proves nothing:
			// ask another node whether the cluster moved on.
			if c.newerElsewhere(ctx, n.Addr, st.lastEpoch.Load()) {
				cancel(errBehind)
				// Is the node hung or only behind? Ask it (in the
				// background): no answer within Timeout marks it failed.
				c.goBackground(func() { _ = c.fetchViewCtx(c.ctx, n.Addr) })
				return
			}
			st.touch()
		}
		st.mu.Lock()
		c.checkReplacedLocked(st)
		st.mu.Unlock()
	}
}

// newerElsewhere asks the other candidates, one at a time, for their view
// and reports whether one has an epoch above epoch.
func (c *Client) newerElsewhere(ctx context.Context, skip string, epoch uint64) bool {
	for _, a := range c.watchCandidates() {
		if a == skip || c.pool.IsDown(a) {
			continue
		}
		e, err := c.fetchEpoch(ctx, a)
		if err == nil {
			return e > epoch
		}
	}
	return false
}

// notCurrentNote is what the last watched node said when it ended its
// stream because its view is not kept current.
type notCurrentNote struct {
	addr string
	why  string
}

// String is the note for TopologyStats.ViewNotCurrent, "" for nil.
func (n *notCurrentNote) String() string {
	if n == nil {
		return ""
	}
	return n.addr + ": " + n.why
}
