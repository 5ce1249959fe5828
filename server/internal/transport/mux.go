// Package transport carries the replication traffic of every Raft group of a
// node over one TCP port. Each connection starts with a small header naming
// its channel (a group) and the dialing node; the Mux hands it to that
// channel's raft.StreamLayer. One channel is reserved for control calls
// (node heartbeats and metadata requests between nodes), one for the Raft
// heartbeats of all groups, coalesced per peer (heartbeat.go), and one for
// trunks, which carry a node's group connections to one peer as streams of
// one connection (trunk.go; accepted always, dialed only with EnableTrunks).
package transport

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
)

const (
	magic         = "NKVR"
	headerTimeout = 5 * time.Second
	// ControlChannel is the channel of control calls (see Mux.Call).
	ControlChannel uint32 = 0xFFFFFFFF
)

// Resolver maps a replication address to the node id listening there.
type Resolver func(raftAddr string) (nodeID string, ok bool)

// Mux owns a node's replication listener and dispatches connections to channels.
type Mux struct {
	nodeID  string
	ln      net.Listener
	resolve Resolver
	faults  *Faults

	serverTLS, clientTLS *tls.Config // nil: plaintext

	mu       sync.Mutex
	channels map[uint32]*channel
	control  func(from string, req []byte) []byte
	closed   bool
	conns    map[net.Conn]struct{}
	pool     map[string]*controlConn
	groups   map[uint32]*GroupTransport // coalesced heartbeats are answered for these (heartbeat.go)
	hb       *hbSender
	wg       sync.WaitGroup

	trunks map[string]*trunkSlot // by peer replication address (trunk.go)

	// legacy makes the Mux behave like a node from before coalesced
	// heartbeats (it refuses HeartbeatChannel and TrunkChannel), and
	// legacyTrunk like one from before trunks: tests of the fallbacks.
	legacy, legacyTrunk bool
	// dialTrunks: group connections go through trunks (EnableTrunks).
	dialTrunks atomic.Bool
}

// New serves the replication port of node nodeID on ln, which it owns from now on.
func New(nodeID string, ln net.Listener, resolve Resolver, faults *Faults) *Mux {
	return NewWithTLS(nodeID, ln, resolve, faults, nil, nil)
}

// NewWithTLS is New over TLS: accepted connections use serverTLS (which
// may require client certificates), dialed ones clientTLS. Both nil:
// plaintext. The channel header travels inside the TLS session.
func NewWithTLS(nodeID string, ln net.Listener, resolve Resolver, faults *Faults, serverTLS, clientTLS *tls.Config) *Mux {
	m := &Mux{
		nodeID: nodeID, ln: ln, resolve: resolve, faults: faults,
		serverTLS: serverTLS, clientTLS: clientTLS,
		channels: map[uint32]*channel{}, conns: map[net.Conn]struct{}{}, pool: map[string]*controlConn{},
		groups: map[uint32]*GroupTransport{}, trunks: map[string]*trunkSlot{},
	}
	m.hb = newHBSender(m)
	m.wg.Add(1)
	go m.acceptLoop()
	return m
}

// EnableTrunks makes the group channels' Dial open streams on one trunk
// connection per peer instead of connections of their own (trunk.go).
// Off unless called, and NoriKV's nodes do not call it: at 64-worker Put on
// 3 `serve --fsync` processes it cut write syscalls per Put by about a third
// and reads by more than half, but not CPU per Put, throughput or p99
// (2026-12-01; see trunk.go).
// Every Mux accepts trunks either way.
func (m *Mux) EnableTrunks() { m.dialTrunks.Store(true) }

// Addr is the replication address actually bound.
func (m *Mux) Addr() net.Addr { return m.ln.Addr() }

// Channel returns the raft.StreamLayer of one channel (one Raft group).
func (m *Mux) Channel(id uint32) raft.StreamLayer {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := &channel{mux: m, id: id, incoming: make(chan net.Conn, 16), done: make(chan struct{})}
	m.channels[id] = ch
	return ch
}

// Close stops the listener, every channel and every open connection.
func (m *Mux) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	err := m.ln.Close()
	for _, ch := range m.channels {
		ch.closeOnce()
	}
	conns := make([]net.Conn, 0, len(m.conns))
	for c := range m.conns {
		conns = append(conns, c)
	}
	pool := m.pool
	m.pool = map[string]*controlConn{}
	m.mu.Unlock()
	m.hb.close()
	for _, c := range conns {
		_ = c.Close()
	}
	for _, cc := range pool {
		cc.close()
	}
	m.wg.Wait()
	return err
}

func (m *Mux) track(c net.Conn) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.conns[c] = struct{}{}
	return true
}

func (m *Mux) untrack(c net.Conn) {
	m.mu.Lock()
	delete(m.conns, c)
	m.mu.Unlock()
}

func (m *Mux) acceptLoop() {
	defer m.wg.Done()
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.dispatch(c)
		}()
	}
}

// dispatch reads the header of an accepted connection and routes it.
func (m *Mux) dispatch(c net.Conn) {
	if m.serverTLS != nil {
		c = tls.Server(c, m.serverTLS)
	}
	// The deadline covers the TLS handshake too (reading the header runs it).
	_ = c.SetDeadline(time.Now().Add(headerTimeout))
	id, from, err := readHeader(c)
	if err != nil {
		_ = c.Close()
		return
	}
	_ = c.SetDeadline(time.Time{})
	if m.faults.Blocked(m.nodeID, from) {
		_ = c.Close()
		return
	}
	wrapped := m.faults.wrap(&trackedConn{Conn: c, mux: m}, m.nodeID, from)
	if !m.track(wrapped) {
		_ = wrapped.Close()
		return
	}
	switch id {
	case ControlChannel:
		m.serveControl(wrapped, from)
		return
	case HeartbeatChannel:
		if !m.legacy {
			m.serveHeartbeats(wrapped, from)
			return
		}
	case TrunkChannel:
		if !m.legacy && !m.legacyTrunk {
			m.serveTrunk(wrapped)
			return
		}
	}
	m.mu.Lock()
	ch := m.channels[id]
	m.mu.Unlock()
	if ch == nil || !ch.deliver(wrapped) {
		_ = wrapped.Close()
	}
}

// dial opens a connection to the channel id on the node at addr.
func (m *Mux) dial(addr string, id uint32, timeout time.Duration) (net.Conn, error) {
	remote, _ := m.resolve(addr)
	if m.faults.Blocked(m.nodeID, remote) {
		return nil, fmt.Errorf("dial %s (%s): %w", remote, addr, ErrLinkCut)
	}
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	if m.clientTLS != nil {
		tc := tls.Client(c, clientFor(m.clientTLS, addr))
		_ = tc.SetDeadline(start.Add(timeout))
		if err := tc.Handshake(); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("TLS handshake with %s (%s): %w", remote, addr, err)
		}
		_ = tc.SetDeadline(time.Time{})
		c = tc
	}
	if err := writeHeader(c, id, m.nodeID); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("send header to %s: %w", addr, err)
	}
	wrapped := m.faults.wrap(&trackedConn{Conn: c, mux: m}, m.nodeID, remote)
	if !m.track(wrapped) {
		_ = wrapped.Close()
		return nil, errors.New("replication transport closed")
	}
	return wrapped, nil
}

func writeHeader(w io.Writer, id uint32, from string) error {
	if len(from) > 255 {
		return fmt.Errorf("node id %q longer than 255 bytes", from)
	}
	buf := make([]byte, 0, 9+len(from))
	buf = append(buf, magic...)
	buf = binary.BigEndian.AppendUint32(buf, id)
	buf = append(buf, byte(len(from)))
	buf = append(buf, from...)
	_, err := w.Write(buf)
	return err
}

func readHeader(r io.Reader) (uint32, string, error) {
	var fixed [9]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return 0, "", err
	}
	if string(fixed[:4]) != magic {
		return 0, "", errors.New("not a replication connection")
	}
	from := make([]byte, fixed[8])
	if _, err := io.ReadFull(r, from); err != nil {
		return 0, "", err
	}
	return binary.BigEndian.Uint32(fixed[4:8]), string(from), nil
}

// trackedConn removes itself from the mux's set when closed.
type trackedConn struct {
	net.Conn
	mux  *Mux
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.mux.untrack(c) })
	return c.Conn.Close()
}

// channel is the raft.StreamLayer of one group.
type channel struct {
	mux      *Mux
	id       uint32
	incoming chan net.Conn
	done     chan struct{}
	once     sync.Once
}

func (ch *channel) deliver(c net.Conn) bool {
	select {
	case ch.incoming <- c:
		return true
	case <-ch.done:
		return false
	case <-time.After(headerTimeout):
		return false
	}
}

func (ch *channel) Accept() (net.Conn, error) {
	select {
	case c := <-ch.incoming:
		return c, nil
	case <-ch.done:
		return nil, net.ErrClosed
	}
}

func (ch *channel) closeOnce() { ch.once.Do(func() { close(ch.done) }) }

func (ch *channel) Close() error {
	ch.closeOnce()
	ch.mux.mu.Lock()
	if ch.mux.channels[ch.id] == ch {
		delete(ch.mux.channels, ch.id)
	}
	ch.mux.mu.Unlock()
	return nil
}

func (ch *channel) Addr() net.Addr { return ch.mux.ln.Addr() }

// Dial opens a connection of its own to the channel at address, or, with
// EnableTrunks, a stream on the trunk to that peer (trunk.go) when the peer
// takes trunks.
func (ch *channel) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	if ch.mux.dialTrunks.Load() {
		c, err := ch.mux.dialStream(string(address), ch.id, timeout)
		if !errors.Is(err, errTrunkRefused) {
			return c, err
		}
	}
	return ch.mux.dial(string(address), ch.id, timeout)
}

// clientFor returns cfg verifying the host of addr, unless cfg names a server.
func clientFor(cfg *tls.Config, addr string) *tls.Config {
	if cfg.ServerName != "" {
		return cfg
	}
	c := cfg.Clone()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		c.ServerName = host
	} else {
		c.ServerName = addr
	}
	return c
}
