package transport

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// Coalesced heartbeats.
//
// Every Raft group a node leads heartbeats each follower on its own timer
// (hashicorp/raft: every HeartbeatTimeout/10 to /5), one RPC each. With
// 17 groups per node that is most of what an idle cluster does, and each
// RPC wakes both processes. Instead, heartbeats go out on a grid of
// wall-clock instants (multiples of a step, 130 ms by default: the same
// instants for every group and every node on the machine, so their
// wake-ups coincide), one frame per peer per step on a connection of its
// own (HeartbeatChannel), answered with one frame. Heartbeats never share
// a connection with log appends, so they never wait behind them.
//
// A frame carries a heartbeat for every group that is heartbeating that
// peer: a group's Raft heartbeat call waits for the next step and gets the
// answer to the heartbeat sent then (a request sent after the call, as a
// direct RPC would be), and between Raft's calls (it sleeps 120-240 ms
// after each answer) the transport sends the group's last heartbeat again
// at every step, for as long as Raft keeps asking (a group whose Raft
// stopped heartbeating that peer drops out after four steps). So a
// follower hears from its leader every step, more regularly than from
// Raft's own timer (which let gaps of 240 ms happen), and a leader's
// process that stalled is heard again at once when it resumes (the missed
// step fires then). A repeated heartbeat is the request Raft made, in its
// term: a follower that has moved to a later term rejects it.
//
// The receiver hands each heartbeat to its group's Raft heartbeat handler
// (the fast path hashicorp/raft's own transport uses) and answers with its
// response. A peer that closes the heartbeat connection without answering
// (an older node) gets direct heartbeats for a while.

// HeartbeatChannel is the channel of coalesced Raft heartbeats.
const HeartbeatChannel uint32 = 0xFFFFFFFE

// DefaultHeartbeatGrid is the grid step unless SetHeartbeatGrid changes it.
const DefaultHeartbeatGrid = 130 * time.Millisecond

// legacyFor is how long a peer that refused coalesced heartbeats gets them
// one RPC each before it is tried again.
const legacyFor = 30 * time.Second

// errNotCoalescing says the peer does not take coalesced heartbeats.
var errNotCoalescing = errors.New("peer does not take coalesced heartbeats")

// HeartbeatStats counts the coalesced heartbeats a node sent and the
// commit index re-sends it answered itself (resend.go).
type HeartbeatStats struct {
	Heartbeats     uint64 // heartbeats of all groups (Raft's and repeated ones)
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
	if len(args.Entries) > 0 { // the write path: straight through
		return t.NetworkTransport.AppendEntries(id, target, args, resp)
	}
	addr := string(target)
	if t.addrs != nil {
		if a, err := t.addrs.ServerAddr(id); err == nil {
			addr = string(a)
		}
	}
	if !isHeartbeat(args) {
		return t.appendEntries(id, target, addr, args, resp)
	}
	epoch, err := t.mux.hb.call(addr, t, hbItem{channel: t.channel, req: *args}, resp)
	if err == nil {
		t.noteAnswer(addr, args, resp, epoch)
	}
	if errors.Is(err, errNotCoalescing) {
		return t.NetworkTransport.AppendEntries(id, target, args, resp)
	}
	return err
}

// noteAnswer records a heartbeat the peer at addr accepted in the
// leader's term, for resend.go.
func (t *GroupTransport) noteAnswer(addr string, req *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse, epoch uint64) {
	if !resp.Success || resp.Term != req.Term {
		return
	}
	t.mu.Lock()
	p := t.peer(addr)
	p.hbAt, p.hbEpoch = time.Now(), epoch
	t.mu.Unlock()
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

// Close stops answering and repeating heartbeats for the group and
// closes inner.
func (t *GroupTransport) Close() error {
	t.mux.mu.Lock()
	if t.mux.groups[t.channel] == t {
		delete(t.mux.groups, t.channel)
	}
	t.mux.mu.Unlock()
	t.mux.hb.forget(t)
	return t.NetworkTransport.Close()
}

// SetHeartbeatGrid sets the grid step (see Coalesce); zero or less sends
// each heartbeat at once and repeats none.
func (m *Mux) SetHeartbeatGrid(d time.Duration) {
	m.hb.mu.Lock()
	m.hb.grid = d
	m.hb.mu.Unlock()
}

// HeartbeatStats reports the coalesced heartbeats this node has sent.
func (m *Mux) HeartbeatStats() HeartbeatStats {
	return HeartbeatStats{Heartbeats: m.hb.heartbeats.Load(), Frames: m.hb.frames.Load(), ResendsSkipped: m.hb.skipped.Load(), ResendsSent: m.hb.resent.Load()}
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
