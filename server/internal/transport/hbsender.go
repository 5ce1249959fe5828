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

// activeFor is how many steps a group keeps being heartbeated on a peer
// after Raft last asked: Raft asks every 120-240 ms plus up to a step
// (370 ms), so four steps never drop a group Raft still heartbeats.
const activeFor = 4

// hbSender sends a node's heartbeats, one frame per peer per step (see
// heartbeat.go).
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

// hbPeer is one peer's queue. conn, answered and epoch belong to the
// flush in flight (at most one per peer).
type hbPeer struct {
	addr        string
	pending     []*hbCall
	active      map[uint32]*hbActive // groups heartbeating this peer, by channel
	inflight    bool
	legacyUntil time.Time

	conn     net.Conn
	answered bool   // conn has answered a frame (so the peer speaks coalesced heartbeats)
	epoch    uint64 // counts the connections dialed: a new one may be a restarted peer
}

// hbActive is a group's last heartbeat request to a peer, repeated at
// every step while Raft keeps asking.
type hbActive struct {
	t     *GroupTransport
	req   raft.AppendEntriesRequest
	asked time.Time
}

// hbCall is one Raft heartbeat call waiting for its answer.
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

// call queues one Raft heartbeat of t for addr and waits for its answer;
// epoch is the connection that carried it.
func (s *hbSender) call(addr string, t *GroupTransport, item hbItem, resp *raft.AppendEntriesResponse) (epoch uint64, err error) {
	c := &hbCall{item: item, timeout: t.timeout, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, errors.New("replication transport closed")
	}
	p := s.peers[addr]
	if p == nil {
		p = &hbPeer{addr: addr, active: map[uint32]*hbActive{}}
		s.peers[addr] = p
	}
	now := time.Now()
	if now.Before(p.legacyUntil) {
		s.mu.Unlock()
		return 0, errNotCoalescing
	}
	c.due = now
	if s.grid > 0 {
		c.due = now.Truncate(s.grid).Add(s.grid)
		p.active[item.channel] = &hbActive{t: t, req: item.req, asked: now}
	}
	p.pending = append(p.pending, c)
	if !p.inflight {
		s.armLocked(c.due)
	}
	s.mu.Unlock()
	// The flush's connection deadline bounds the wait; Mux.Close fails it.
	<-c.done
	if c.err != nil {
		return c.epoch, c.err
	}
	*resp = c.resp
	return c.epoch, nil
}

// forget stops repeating t's heartbeats (its group is closing).
func (s *hbSender) forget(t *GroupTransport) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.peers {
		for ch, a := range p.active {
			if a.t == t {
				delete(p.active, ch)
			}
		}
	}
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

// flush sends every peer one frame with the Raft heartbeats that are due
// and a repeat for every other group heartbeating it, each peer on its own
// goroutine (a stalled peer delays only its own), and arms the next step
// while any group is heartbeating.
func (s *hbSender) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timerAt = time.Time{}
	// Timers may fire a little early against the wall clock the grid uses.
	now := time.Now().Add(s.grid / 4)
	var next time.Time
	active := false
	for _, p := range s.peers {
		for ch, a := range p.active {
			if now.Sub(a.asked) > activeFor*s.grid {
				delete(p.active, ch)
			}
		}
		active = active || len(p.active) > 0
		if p.inflight {
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
		var repeats []*hbActive
		for ch, a := range p.active {
			// A Raft call queued for the next step does not stand in for
			// this step's repeat: it may have come in just after the step.
			if !hasChannel(batch, ch) {
				repeats = append(repeats, a)
			}
		}
		if len(batch)+len(repeats) > 0 {
			p.inflight = true
			go s.send(p, batch, repeats)
		}
	}
	if active && s.grid > 0 {
		step := time.Now().Truncate(s.grid).Add(s.grid)
		if next.IsZero() || step.Before(next) {
			next = step
		}
	}
	if !next.IsZero() {
		s.armLocked(next)
	}
}

func hasChannel(calls []*hbCall, ch uint32) bool {
	for _, c := range calls {
		if c.item.channel == ch {
			return true
		}
	}
	return false
}

// send exchanges one frame with p: Raft's calls first, then the repeats.
func (s *hbSender) send(p *hbPeer, batch []*hbCall, repeats []*hbActive) {
	items := make([]hbItem, 0, len(batch)+len(repeats))
	timeout := time.Duration(0)
	for _, c := range batch {
		items = append(items, c.item)
		timeout = max(timeout, c.timeout)
	}
	for _, a := range repeats {
		items = append(items, hbItem{channel: a.t.channel, req: a.req})
		timeout = max(timeout, a.t.timeout)
	}
	answers, err := s.exchange(p, items, timeout)
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
	if err == nil {
		for i, a := range repeats {
			if ans := answers[len(batch)+i]; ans.err == "" {
				a.t.noteAnswer(p.addr, &a.req, &ans.resp, p.epoch)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.inflight = false
	if errors.Is(err, errNotCoalescing) {
		p.legacyUntil = time.Now().Add(legacyFor)
		clear(p.active)
	}
	// Raft calls queued meanwhile: the earliest due (maybe past) flushes.
	for _, c := range p.pending {
		s.armLocked(c.due)
	}
}

// exchange sends one frame to p and reads its answer.
func (s *hbSender) exchange(p *hbPeer, items []hbItem, timeout time.Duration) ([]hbAnswer, error) {
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

// close fails every waiting heartbeat and stops repeating; connections
// close with the Mux.
func (s *hbSender) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	for _, p := range s.peers {
		for _, c := range p.pending {
			c.err = errors.New("replication transport closed")
			close(c.done)
		}
		p.pending = nil
		clear(p.active)
	}
}
