package client

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// unimplementedRetry is how long the watch waits before asking again when
// no node implements Meta.WatchCluster.
const unimplementedRetry = 5 * time.Second

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
// When the stream breaks it moves on to the next candidate node, backing off
// while no node answers.
func (c *Client) watchLoop() {
	failures, unimplemented := 0, 0
	next := 0
	var lastAddr string
	for c.ctx.Err() == nil {
		cands := c.watchCandidates()
		addr := cands[next%len(cands)]
		if addr == lastAddr && len(cands) > 1 {
			next++
			addr = cands[next%len(cands)]
		}
		next++
		lastAddr = addr
		a := addr
		c.watchNode.Store(&a)
		got, err := c.watchOnce(addr)
		if c.ctx.Err() != nil {
			return
		}
		c.m.watchRestarts.Add(1)
		if got {
			failures, unimplemented = 0, 0
			continue // the stream worked and broke: try the next node at once
		}
		failures++
		delay := c.policy.Delay(failures)
		if isUnimplemented(err) {
			unimplemented++
			if unimplemented >= len(cands) {
				// No node has Meta: let Connect return and route by redirects.
				c.firstOnce.Do(func() { close(c.firstView) })
				delay = unimplementedRetry
				unimplemented = 0
			}
		} else {
			unimplemented = 0
			if failures%len(cands) == 0 && c.topo.Load() == nil {
				c.reportUnreachable(addr, err)
			}
		}
		if !sleepCtx(c.ctx, delay) {
			return
		}
	}
}

// reportUnreachable tells a waiting Connect that a full round of nodes
// failed before any view arrived. It never blocks.
func (c *Client) reportUnreachable(addr string, err error) {
	select {
	case c.unreachable <- &ConnectionError{Addr: addr, err: newError("connect", codes.Unavailable,
		"no node answered the topology watch: "+errString(err), nil)}:
	default:
	}
}

// watchOnce streams views from addr until the stream breaks. It reports
// whether at least one view arrived.
func (c *Client) watchOnce(addr string) (bool, error) {
	n, err := c.pool.Get(addr)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	stream, err := n.Meta.WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		return false, err
	}
	got := false
	for {
		v, err := stream.Recv()
		if err != nil {
			return got, err
		}
		got = true
		c.applyView(v)
	}
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
			if c.fetchView(addr) == nil {
				return
			}
		}
	})
	if !started {
		c.refreshing.Store(false)
	}
}

// fetchView reads the first (current) view from addr.
func (c *Client) fetchView(addr string) error {
	n, err := c.pool.Get(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.Timeout)
	defer cancel()
	stream, err := n.Meta.WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		return err
	}
	v, err := stream.Recv()
	if err != nil {
		return err
	}
	c.applyView(v)
	return nil
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
