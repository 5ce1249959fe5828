package transport

import (
	"errors"
	"net"
	"sync"
)

// ErrLinkCut is returned when a test has cut the link between two nodes.
var ErrLinkCut = errors.New("replication link cut by fault injection")

// Faults lets tests cut and heal replication traffic between pairs of nodes.
// One Faults is shared by every node of an in-process cluster; a nil *Faults
// never blocks anything. Cutting a link also closes the connections already
// open on it, so traffic stops at once in both directions.
type Faults struct {
	mu    sync.Mutex
	cut   map[[2]string]bool
	conns map[*faultConn]struct{}
}

// NewFaults returns a filter with every link healed.
func NewFaults() *Faults {
	return &Faults{cut: map[[2]string]bool{}, conns: map[*faultConn]struct{}{}}
}

func pair(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// Cut blocks all replication traffic between nodes a and b.
func (f *Faults) Cut(a, b string) {
	f.mu.Lock()
	f.cut[pair(a, b)] = true
	var doomed []*faultConn
	for c := range f.conns {
		if pair(c.local, c.remote) == pair(a, b) {
			doomed = append(doomed, c)
		}
	}
	f.mu.Unlock()
	for _, c := range doomed {
		_ = c.Close()
	}
}

// Heal restores traffic between a and b.
func (f *Faults) Heal(a, b string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.cut, pair(a, b))
}

// HealAll restores every link.
func (f *Faults) HealAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cut = map[[2]string]bool{}
}

// Blocked reports whether traffic between a and b is cut.
func (f *Faults) Blocked(a, b string) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cut[pair(a, b)]
}

// wrap tracks a connection between local and remote so Cut can close it.
func (f *Faults) wrap(c net.Conn, local, remote string) net.Conn {
	if f == nil {
		return c
	}
	fc := &faultConn{Conn: c, f: f, local: local, remote: remote}
	f.mu.Lock()
	f.conns[fc] = struct{}{}
	f.mu.Unlock()
	return fc
}

type faultConn struct {
	net.Conn
	f             *Faults
	local, remote string
	once          sync.Once
}

func (c *faultConn) Read(p []byte) (int, error) {
	if c.f.Blocked(c.local, c.remote) {
		_ = c.Close()
		return 0, ErrLinkCut
	}
	return c.Conn.Read(p)
}

func (c *faultConn) Write(p []byte) (int, error) {
	if c.f.Blocked(c.local, c.remote) {
		_ = c.Close()
		return 0, ErrLinkCut
	}
	return c.Conn.Write(p)
}

func (c *faultConn) Close() error {
	c.once.Do(func() {
		c.f.mu.Lock()
		delete(c.f.conns, c)
		c.f.mu.Unlock()
	})
	return c.Conn.Close()
}
