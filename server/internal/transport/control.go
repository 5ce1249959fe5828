package transport

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

const maxFrame = 16 << 20

// HandleControl installs the handler of control calls made to this node.
func (m *Mux) HandleControl(h func(from string, req []byte) []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.control = h
}

func (m *Mux) serveControl(c net.Conn, from string) {
	defer c.Close()
	for {
		req, err := readFrame(c)
		if err != nil {
			return
		}
		m.mu.Lock()
		h := m.control
		m.mu.Unlock()
		var resp []byte
		if h != nil {
			resp = h(from, req)
		}
		if err := writeFrame(c, resp); err != nil {
			return
		}
	}
}

// maxIdleControl bounds the idle control connections kept per peer.
const maxIdleControl = 8

// Call sends one control request to the node at raftAddr and waits for its
// reply. Calls to a peer run concurrently, each on its own connection;
// connections are kept for reuse (a few per peer), so a slow call (a
// forwarded proposal) never holds up a heartbeat.
func (m *Mux) Call(ctx context.Context, raftAddr string, req []byte) ([]byte, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("replication transport closed")
	}
	cc := m.pool[raftAddr]
	if cc == nil {
		cc = &controlConn{}
		m.pool[raftAddr] = cc
	}
	m.mu.Unlock()
	return cc.call(ctx, m, raftAddr, req)
}

// controlConn is the pool of idle control connections to one peer.
type controlConn struct {
	mu     sync.Mutex
	idle   []net.Conn
	closed bool
}

func (cc *controlConn) close() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.closed = true
	for _, c := range cc.idle {
		_ = c.Close()
	}
	cc.idle = nil
}

func (cc *controlConn) get() net.Conn {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if n := len(cc.idle); n > 0 {
		c := cc.idle[n-1]
		cc.idle = cc.idle[:n-1]
		return c
	}
	return nil
}

func (cc *controlConn) put(c net.Conn) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.closed || len(cc.idle) >= maxIdleControl {
		_ = c.Close()
		return
	}
	cc.idle = append(cc.idle, c)
}

func (cc *controlConn) call(ctx context.Context, m *Mux, addr string, req []byte) ([]byte, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(2 * time.Second)
	}
	c := cc.get()
	if c == nil {
		var err error
		if c, err = m.dial(addr, ControlChannel, time.Until(deadline)); err != nil {
			return nil, fmt.Errorf("control call to %s: %w", addr, err)
		}
	}
	_ = c.SetDeadline(deadline)
	if err := writeFrame(c, req); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("control call to %s: %w", addr, err)
	}
	resp, err := readFrame(c)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("control reply from %s: %w", addr, err)
	}
	_ = c.SetDeadline(time.Time{})
	cc.put(c)
	return resp, nil
}

func writeFrame(w io.Writer, b []byte) error {
	buf := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(b)), uint32(len(b)))
	_, err := w.Write(append(buf, b...))
	return err
}

func readFrame(r io.Reader) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > maxFrame {
		return nil, fmt.Errorf("control frame of %d bytes exceeds %d", size, maxFrame)
	}
	b := make([]byte, size)
	_, err := io.ReadFull(r, b)
	return b, err
}
