package transport

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/raft"
)

// Coalesced heartbeats.
//
// Every Raft group a node leads heartbeats each follower on its own timer
// (hashicorp/raft: every HeartbeatTimeout/10 to /5), one RPC each. With
// 17 groups per node that is most of what an idle cluster does, and each
// RPC wakes both processes. Instead, a group's heartbeat waits for a flush,
// and a flush sends every heartbeat waiting for one peer as one frame on a
// connection of its own (HeartbeatChannel), which the peer answers with
// one frame. Heartbeats never share a connection with log appends, so they
// never wait behind them.
//
// Flushes fall on a grid of wall-clock instants (multiples of the grid
// step, the same for every group and every node on the machine). A
// heartbeat goes out at the next instant that is a multiple of two steps
// (a "beat") if that is at most two steps after its group's previous
// heartbeat to that peer, else at the next step if that is, else at once.
// With the default 130 ms step and Raft's 1.2 s heartbeat timeout, a
// group's heartbeat goroutine sleeps 120-240 ms after its answer, so on
// an idle machine a group on the beat stays on it: every group heartbeats
// every peer once per beat (260 ms; 3.8/s instead of 5.5/s), all in one
// frame per peer. A group off the beat (a new leader, or after a stall)
// keeps a 260 ms rhythm on the steps between beats until its goroutine
// wakes early enough to catch a beat (one time in ~12), so all groups
// gather on the beat within seconds. Two heartbeats of a group to a peer
// are never more than two steps apart unless Raft itself asked late; the
// follower's timeout is 1.2 s.
//
// The receiver hands each heartbeat to its group's Raft heartbeat handler
// (the fast path hashicorp/raft's own transport uses) and answers with its
// response, so the leader sees exactly what a direct RPC would have told
// it. A peer that closes the heartbeat connection without answering (an
// older node) gets direct heartbeats for a while.

// HeartbeatChannel is the channel of coalesced Raft heartbeats.
const HeartbeatChannel uint32 = 0xFFFFFFFE

// DefaultHeartbeatGrid is the flush grid unless SetHeartbeatGrid changes it.
const DefaultHeartbeatGrid = 130 * time.Millisecond

// legacyFor is how long a peer that refused coalesced heartbeats gets them
// one RPC each before it is tried again.
const legacyFor = 30 * time.Second

// errNotCoalescing says the peer does not take coalesced heartbeats.
var errNotCoalescing = errors.New("peer does not take coalesced heartbeats")

// HeartbeatStats counts the coalesced heartbeats a node sent and the
// commit index re-sends it answered itself (resend.go).
type HeartbeatStats struct {
	Heartbeats     uint64 // heartbeats of all groups
	Frames         uint64 // frames (one round trip each) that carried them
	ResendsSkipped uint64 // idle commit index re-sends not sent
	ResendsSent    uint64 // AppendEntries without entries sent (commit index re-sends, probes)
}

// GroupTransport is a group's raft.Transport: hashicorp/raft's
// NetworkTransport, with heartbeats coalesced per peer through the Mux.
type GroupTransport struct {
	*raft.NetworkTransport
	mux     *Mux
	channel uint32
	addrs   raft.ServerAddressProvider
	timeout time.Duration

	mu      sync.Mutex
	handler func(raft.RPC)
	peers   map[string]*peerState // by peer address
}

// peerState is what a group's transport remembers about one peer.
type peerState struct {
	lastDue time.Time // the instant the group's last heartbeat to it was due
	// The last heartbeat it accepted in the leader's term, and which
	// heartbeat connection carried it (resend.go).
	hbAt    time.Time
	hbEpoch uint64
	resend  resendState
}

// Coalesce wraps inner, the NetworkTransport of the group on channel, so
// its heartbeats travel coalesced and heartbeats for it are answered.
// addrs resolves server ids as inner's provider does (nil: use the
// address Raft gives); timeout bounds one heartbeat round trip.
func (m *Mux) Coalesce(channel uint32, inner *raft.NetworkTransport, addrs raft.ServerAddressProvider, timeout time.Duration) *GroupTransport {
	t := &GroupTransport{NetworkTransport: inner, mux: m, channel: channel, addrs: addrs, timeout: timeout, peers: map[string]*peerState{}}
	m.mu.Lock()
	m.groups[channel] = t
	m.mu.Unlock()
	return t
}

// SetHeartbeatHandler installs Raft's heartbeat handler, for coalesced
// heartbeats and for direct ones from older nodes.
func (t *GroupTransport) SetHeartbeatHandler(fn func(raft.RPC)) {
	t.mu.Lock()
	t.handler = fn
	t.mu.Unlock()
	t.NetworkTransport.SetHeartbeatHandler(fn)
}

// AppendEntries sends a heartbeat with the next flush to its peer, skips
// an idle commit index re-send the peer has already taken (resend.go),
// and sends anything else as a direct RPC.
func (t *GroupTransport) AppendEntries(id raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	addr := string(target)
	if t.addrs != nil {
		if a, err := t.addrs.ServerAddr(id); err == nil {
			addr = string(a)
		}
	}
	if !isHeartbeat(args) {
		return t.appendEntries(id, target, addr, args, resp)
	}
	// Raft heartbeats each peer from one goroutine, so heartbeats to one
	// peer do not overlap.
	t.mu.Lock()
	last := t.peer(addr).lastDue
	t.mu.Unlock()
	due, epoch, err := t.mux.hb.call(addr, hbItem{channel: t.channel, req: *args}, resp, t.timeout, last)
	t.mu.Lock()
	p := t.peer(addr)
	p.lastDue = due
	if err == nil && resp.Success && resp.Term == args.Term {
		p.hbAt, p.hbEpoch = time.Now(), epoch
	}
	t.mu.Unlock()
	if errors.Is(err, errNotCoalescing) {
		return t.NetworkTransport.AppendEntries(id, target, args, resp)
	}
	return err
}

// peer returns the state kept for addr; t.mu is held.
func (t *GroupTransport) peer(addr string) *peerState {
	p := t.peers[addr]
	if p == nil {
		p = &peerState{}
		t.peers[addr] = p
	}
	return p
}

// Close stops answering heartbeats for the group and closes inner.
func (t *GroupTransport) Close() error {
	t.mux.mu.Lock()
	if t.mux.groups[t.channel] == t {
		delete(t.mux.groups, t.channel)
	}
	t.mux.mu.Unlock()
	return t.NetworkTransport.Close()
}

// SetHeartbeatGrid sets the flush grid (see Coalesce); zero or less
// flushes each heartbeat at once.
func (m *Mux) SetHeartbeatGrid(d time.Duration) {
	m.hb.mu.Lock()
	m.hb.grid = d
	m.hb.mu.Unlock()
}

// HeartbeatStats reports the coalesced heartbeats this node has sent.
func (m *Mux) HeartbeatStats() HeartbeatStats {
	return HeartbeatStats{Heartbeats: m.hb.heartbeats.Load(), Frames: m.hb.frames.Load(), ResendsSkipped: m.hb.skipped.Load(), ResendsSent: m.hb.resent.Load()}
}

// hbSender batches a node's outgoing heartbeats per peer.
type hbSender struct {
	m                                   *Mux
	heartbeats, frames, skipped, resent atomic.Uint64

	mu      sync.Mutex
	grid    time.Duration
	peers   map[string]*hbPeer
	timer   *time.Timer // the next flush, at timerAt
	timerAt time.Time
	closed  bool
}

// hbPeer is one peer's queue. conn and answered belong to the flush in
// flight (at most one per peer).
type hbPeer struct {
	addr        string
	pending     []*hbCall
	inflight    bool
	legacyUntil time.Time

	conn     net.Conn
	answered bool   // conn has answered a frame (so the peer speaks coalesced heartbeats)
	epoch    uint64 // counts the connections dialed: a new one may be a restarted peer
}

// hbCall is one heartbeat waiting for its answer.
type hbCall struct {
	item    hbItem
	timeout time.Duration
	due     time.Time // the flush it goes out with
	epoch   uint64    // the connection that carried it (hbPeer.epoch)
	done    chan struct{}
	resp    raft.AppendEntriesResponse
	err     error
}

func newHBSender(m *Mux) *hbSender {
	return &hbSender{m: m, grid: DefaultHeartbeatGrid, peers: map[string]*hbPeer{}}
}

// dueLocked is the flush instant of a heartbeat queued now whose group's
// previous heartbeat to the same peer was due at last (see the top): the
// next beat, else the next step, else now, whichever keeps the gap since
// last within two steps.
func (s *hbSender) dueLocked(now, last time.Time) time.Time {
	g := s.grid
	if g <= 0 || now.Sub(last) > 2*g {
		// The group's first heartbeat, or one that missed its beat (the
		// machine or this process stalled): at once.
		return now
	}
	step := now.Truncate(g).Add(g)
	beat := now.Truncate(2 * g).Add(2 * g)
	switch {
	case beat.Sub(last) <= 2*g:
		return beat
	case step.Sub(last) <= 2*g:
		return step
	}
	return now
}

// call queues one heartbeat for addr and waits for its answer; due is
// the flush it was queued for, epoch the connection that carried it.
func (s *hbSender) call(addr string, item hbItem, resp *raft.AppendEntriesResponse, timeout time.Duration, last time.Time) (due time.Time, epoch uint64, err error) {
	c := &hbCall{item: item, timeout: timeout, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return last, 0, errors.New("replication transport closed")
	}
	p := s.peers[addr]
	if p == nil {
		p = &hbPeer{addr: addr}
		s.peers[addr] = p
	}
	now := time.Now()
	if now.Before(p.legacyUntil) {
		s.mu.Unlock()
		return last, 0, errNotCoalescing
	}
	c.due = s.dueLocked(now, last)
	p.pending = append(p.pending, c)
	if !p.inflight {
		s.armLocked(c.due)
	}
	s.mu.Unlock()
	// The flush's connection deadline bounds the wait; Mux.Close fails it.
	<-c.done
	if c.err != nil {
		return c.due, c.epoch, c.err
	}
	*resp = c.resp
	return c.due, c.epoch, nil
}

// armLocked makes sure a flush runs at at or earlier.
func (s *hbSender) armLocked(at time.Time) {
	if s.closed || (!s.timerAt.IsZero() && !s.timerAt.After(at)) {
		return
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timerAt = at
	s.timer = time.AfterFunc(time.Until(at), s.flush)
}

// flush sends every peer's heartbeats that are due, one frame per peer,
// each peer on its own goroutine (a stalled peer delays only its own),
// and arms the flush of the rest.
func (s *hbSender) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timerAt = time.Time{}
	// Timers may fire a little early against the wall clock the grid uses.
	now := time.Now().Add(s.grid / 4)
	var next time.Time
	for _, p := range s.peers {
		if len(p.pending) == 0 || p.inflight {
			continue
		}
		var batch, later []*hbCall
		for _, c := range p.pending {
			if c.due.After(now) {
				later = append(later, c)
				if next.IsZero() || c.due.Before(next) {
					next = c.due
				}
			} else {
				batch = append(batch, c)
			}
		}
		p.pending = later
		if len(batch) > 0 {
			p.inflight = true
			go s.send(p, batch)
		}
	}
	if !next.IsZero() {
		s.armLocked(next)
	}
}

func (s *hbSender) send(p *hbPeer, batch []*hbCall) {
	answers, err := s.exchange(p, batch)
	for i, c := range batch {
		c.epoch = p.epoch
		switch {
		case err != nil:
			c.err = err
		case answers[i].err != "":
			c.err = fmt.Errorf("heartbeat to %s: %s", p.addr, answers[i].err)
		default:
			c.resp = answers[i].resp
		}
		close(c.done)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.inflight = false
	if errors.Is(err, errNotCoalescing) {
		p.legacyUntil = time.Now().Add(legacyFor)
	}
	// Heartbeats queued meanwhile: the earliest due (maybe past) flushes.
	for _, c := range p.pending {
		s.armLocked(c.due)
	}
}

// exchange sends one frame to p and reads its answer.
func (s *hbSender) exchange(p *hbPeer, batch []*hbCall) ([]hbAnswer, error) {
	items := make([]hbItem, len(batch))
	timeout := time.Duration(0)
	for i, c := range batch {
		items[i] = c.item
		timeout = max(timeout, c.timeout)
	}
	if p.conn == nil {
		c, err := s.m.dial(p.addr, HeartbeatChannel, timeout)
		if err != nil {
			return nil, fmt.Errorf("heartbeat to %s: %w", p.addr, err)
		}
		p.conn, p.answered = c, false
		p.epoch++
	}
	s.heartbeats.Add(uint64(len(items)))
	s.frames.Add(1)
	c := p.conn
	_ = c.SetDeadline(time.Now().Add(timeout))
	err := writeFrame(c, encodeHeartbeats(items))
	var raw []byte
	if err == nil {
		raw, err = readFrame(c)
	}
	var answers []hbAnswer
	if err == nil {
		if answers, err = decodeAnswers(raw); err == nil && len(answers) != len(items) {
			err = fmt.Errorf("%d answers to %d heartbeats", len(answers), len(items))
		}
	}
	if err != nil {
		_ = c.Close()
		p.conn = nil
		// An older node closes a connection on a channel it does not know
		// right after reading its header.
		if !p.answered && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
			return nil, errNotCoalescing
		}
		return nil, fmt.Errorf("heartbeat to %s: %w", p.addr, err)
	}
	p.answered = true
	return answers, nil
}

// close fails every waiting heartbeat; connections close with the Mux.
func (s *hbSender) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, p := range s.peers {
		for _, c := range p.pending {
			c.err = errors.New("replication transport closed")
			close(c.done)
		}
		p.pending = nil
	}
}

// serveHeartbeats answers coalesced heartbeats from node from on c.
func (m *Mux) serveHeartbeats(c net.Conn, from string) {
	defer c.Close()
	for {
		raw, err := readFrame(c)
		if err != nil {
			return
		}
		items, err := decodeHeartbeats(raw)
		if err != nil {
			return // a peer that sends garbage gets its connection closed
		}
		answers := make([]hbAnswer, len(items))
		for i := range items {
			answers[i] = m.answerHeartbeat(&items[i])
		}
		if err := writeFrame(c, encodeAnswers(answers)); err != nil {
			return
		}
	}
}

// answerHeartbeat runs one heartbeat through its group's Raft handler,
// which answers before it returns.
func (m *Mux) answerHeartbeat(it *hbItem) hbAnswer {
	m.mu.Lock()
	g := m.groups[it.channel]
	m.mu.Unlock()
	var fn func(raft.RPC)
	if g != nil {
		g.mu.Lock()
		fn = g.handler
		g.mu.Unlock()
	}
	if fn == nil {
		return hbAnswer{err: fmt.Sprintf("node %s runs no Raft group on channel %d", m.nodeID, it.channel)}
	}
	respCh := make(chan raft.RPCResponse, 1)
	fn(raft.RPC{Command: &it.req, RespChan: respCh})
	select {
	case r := <-respCh:
		if r.Error != nil {
			return hbAnswer{err: r.Error.Error()}
		}
		if resp, ok := r.Response.(*raft.AppendEntriesResponse); ok && resp != nil {
			return hbAnswer{resp: *resp}
		}
		return hbAnswer{err: fmt.Sprintf("unexpected heartbeat response %T", r.Response)}
	default:
		// Raft drops RPCs without an answer once it is shutting down.
		return hbAnswer{err: fmt.Sprintf("Raft group on channel %d of node %s is shutting down", it.channel, m.nodeID)}
	}
}
