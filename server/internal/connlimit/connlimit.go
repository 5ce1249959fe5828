// Package connlimit keeps a node's client port from taking the file
// descriptors the node needs for itself, and closes connections that never
// speak.
//
// A client that leaks connections (a new client per request, never closed)
// or a flood of connections that never speak used to fill the process's
// open-file limit: the node then could not accept any new client, nor open
// a Raft log file or a peer connection, while it kept leading its groups
// and said nothing. A Listener caps the client connections open at once,
// closing those beyond the cap at once (the client fails fast and tries
// another node instead of waiting in the kernel's backlog), and says once
// per episode that it refuses connections, or that accepting fails. A
// connection that sends nothing within FirstByteTimeout of being accepted
// is closed (gRPC's own handshake timeout is 2 minutes: a flood of silent
// connections held the node's descriptors that long).
//
// Connections that did speak (a leaked gRPC client that made its calls and
// was never closed) are not closed by that, and kept the cap full: new
// clients were refused while the leaked ones sat idle. So at the cap the
// Listener makes room by closing the connection idle the longest (nothing
// read or written for IdleAfter: no call in flight, as a watch stream
// writes every second and a client's keepalive pings only while it has
// calls open) instead of refusing the new one; it refuses only when none
// is idle that long. It says so once per episode and counts them
// (Evicted).
package connlimit

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// reserveMax is the most descriptors kept for the node's own files and
// peer connections; reserveMin the fewest connections a cap allows.
const (
	reserveMax = 512
	capMin     = 16
)

// Default is the cap for an open-file limit: the limit less what the node
// keeps for itself (half the limit, at most reserveMax), at least capMin.
// A limit of 0 (unknown) is no cap.
func Default(openFileLimit uint64) int {
	if openFileLimit == 0 {
		return 0
	}
	reserve := min(openFileLimit/2, reserveMax)
	return max(int(openFileLimit-reserve), capMin)
}

// FirstByteTimeout is how long an accepted connection may stay silent
// before it is closed.
const FirstByteTimeout = 10 * time.Second

// IdleAfter is how long a connection must have read and written nothing
// before it may be closed to make room for a new one at the cap.
const IdleAfter = 10 * time.Second

// UserTimeout is the TCP_USER_TIMEOUT of accepted connections (Linux), what
// gRPC's server sets by default (its 20 s keepalive timeout) on the
// connections it accepts itself.
const UserTimeout = 20 * time.Second

// Listener is a net.Listener that caps the connections open at once.
type Listener struct {
	net.Listener
	max       int64
	logf      func(format string, args ...any)
	firstByte time.Duration
	idleAfter time.Duration

	open    atomic.Int64
	refused atomic.Uint64
	evicted atomic.Uint64

	mu       sync.Mutex
	refusing bool // an episode of refusals is on (logged once)
	evicting bool // an episode of closing idle connections for room is on (logged once)
	failing  bool // an episode of failed accepts is on (logged once)
	conns    map[*conn]struct{}
}

// Wrap caps ln at maxConns connections open at once (0: no cap, only the
// accept failures are said). logf receives one line per episode.
func Wrap(ln net.Listener, maxConns int, logf func(format string, args ...any)) *Listener {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Listener{Listener: ln, max: int64(maxConns), logf: logf, firstByte: FirstByteTimeout, idleAfter: IdleAfter,
		conns: map[*conn]struct{}{}}
}

// SetIdleAfter changes IdleAfter for this listener (tests).
func (l *Listener) SetIdleAfter(d time.Duration) { l.idleAfter = d }

// SetFirstByteTimeout changes FirstByteTimeout for this listener (tests).
func (l *Listener) SetFirstByteTimeout(d time.Duration) { l.firstByte = d }

// Open is the number of accepted connections not yet closed.
func (l *Listener) Open() int64 { return l.open.Load() }

// Refused is the number of connections closed at once for the cap.
func (l *Listener) Refused() uint64 { return l.refused.Load() }

// Evicted is the number of idle connections closed to make room at the
// cap.
func (l *Listener) Evicted() uint64 { return l.evicted.Load() }

// Max is the cap (0: none).
func (l *Listener) Max() int { return int(l.max) }

// Accept returns the next connection under the cap; connections beyond it
// are closed at once and not returned.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				l.episode(&l.failing, true, "cannot accept client connections: %v (%d client connections open); "+
					"a client is probably leaking connections", err, l.open.Load())
			}
			return nil, err
		}
		l.episode(&l.failing, false, "")
		n := l.open.Add(1)
		if l.max > 0 && n > l.max {
			// Said and counted before the close, so that whoever sees the
			// connection closed finds it in the log and the counters (a
			// CI run at load 29 read the log between the two).
			if idle, was := l.idlest(time.Now()); idle != nil {
				l.evicted.Add(1)
				l.episode(&l.evicting, true, "closing client connections idle the longest to make room for new ones: "+
					"%d are open, the most it takes, and this one had read and written nothing for %s; "+
					"a client is probably leaking connections: close them, or raise the limit (ulimit -n)",
					l.max, was.Round(time.Second))
				_ = idle.Close() // gives its place to c
				return l.accepted(c), nil
			}
			l.open.Add(-1)
			l.refused.Add(1)
			l.episode(&l.refusing, true, "refusing new client connections: %d are open, the most it takes "+
				"(the rest of its open-file limit is kept for its Raft logs and peers); a client is probably "+
				"leaking connections: close them, or raise the limit (ulimit -n)", l.max)
			_ = c.Close()
			continue
		}
		if n <= l.max*9/10 || l.max == 0 {
			l.episode(&l.refusing, false, "")
			l.episode(&l.evicting, false, "")
		}
		return l.accepted(c), nil
	}
}

// accepted wraps a connection taken under the cap.
func (l *Listener) accepted(c net.Conn) *conn {
	setUserTimeout(c, UserTimeout)
	now := time.Now()
	cc := &conn{Conn: c, l: l, speakBy: now.Add(l.firstByte)}
	cc.active.Store(now.UnixNano())
	_ = c.SetDeadline(cc.speakBy)
	if l.max > 0 {
		l.mu.Lock()
		l.conns[cc] = struct{}{}
		l.mu.Unlock()
	}
	return cc
}

// idlest returns the open connection idle the longest, and for how long,
// if it has been idle at least idleAfter; nil otherwise.
func (l *Listener) idlest(now time.Time) (*conn, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var best *conn
	oldest := now.Add(-l.idleAfter).UnixNano()
	for c := range l.conns {
		if a := c.active.Load(); a <= oldest {
			best, oldest = c, a
		}
	}
	if best == nil {
		return nil, 0
	}
	delete(l.conns, best) // closed by the caller: not picked twice
	return best, now.Sub(time.Unix(0, oldest))
}

// episode logs the start of a condition once, and its end once.
func (l *Listener) episode(flag *bool, on bool, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if *flag == on {
		return
	}
	*flag = on
	if on {
		l.logf(format, args...)
		return
	}
	switch flag {
	case &l.refusing:
		l.logf("accepting client connections again (%d open)", l.open.Load())
	case &l.evicting:
		l.logf("no longer closing idle client connections for room (%d open)", l.open.Load())
	default:
		l.logf("accepting client connections again")
	}
}

// conn gives its place back once when closed, and holds any deadline set
// before its first byte arrived to speakBy.
type conn struct {
	net.Conn
	l       *Listener
	closed  atomic.Bool
	spoke   atomic.Bool
	active  atomic.Int64 // unix ns of the last read or write of some bytes (or the accept)
	speakBy time.Time

	mu             sync.Mutex
	want, wantRead time.Time // deadlines the server asked for before the first byte
}

func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.active.Store(time.Now().UnixNano())
	}
	if n > 0 && c.spoke.CompareAndSwap(false, true) {
		// The peer spoke: the server's own deadlines from now on.
		c.mu.Lock()
		_ = c.Conn.SetDeadline(c.want)
		if !c.wantRead.IsZero() {
			_ = c.Conn.SetReadDeadline(c.wantRead)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *conn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.active.Store(time.Now().UnixNano())
	}
	return n, err
}

// SetDeadline and SetReadDeadline keep speakBy until the peer spoke: the
// server sets its own handshake deadline (gRPC: 2 minutes) right after
// Accept, which would lift it.
func (c *conn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spoke.Load() {
		return c.Conn.SetDeadline(t)
	}
	c.want, c.wantRead = t, time.Time{}
	return c.Conn.SetDeadline(c.clamp(t))
}

func (c *conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spoke.Load() {
		return c.Conn.SetReadDeadline(t)
	}
	c.wantRead = t
	return c.Conn.SetReadDeadline(c.clamp(t))
}

func (c *conn) clamp(t time.Time) time.Time {
	if t.IsZero() || t.After(c.speakBy) {
		return c.speakBy
	}
	return t
}

func (c *conn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.open.Add(-1)
		if c.l.max > 0 {
			c.l.mu.Lock()
			delete(c.l.conns, c)
			c.l.mu.Unlock()
		}
	}
	return c.Conn.Close()
}

// String describes the cap for a start-up line.
func (l *Listener) String() string {
	if l.max == 0 {
		return "no cap on client connections"
	}
	return fmt.Sprintf("at most %d client connections", l.max)
}
