package transport

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
)

// ErrLinkCut is returned when a test has cut the link between two nodes.
var ErrLinkCut = errors.New("replication link cut by fault injection")

// Faults lets tests cut and heal replication traffic between pairs of nodes.
// One Faults is shared by every node of an in-process cluster; a nil *Faults
// never blocks anything. Cutting a link also closes the connections already
// open on it, so traffic stops at once in both directions.
//
// Every dial, accept and Read and Write of every node of the cluster asks
// Blocked, so it takes no lock: the cut links are an immutable set swapped
// whole, and the open connections a sync.Map. With one mutex there, a CPU
// starved process (CPU burners beside an in-process cluster under -race)
// queued thousands of goroutines on it whenever the OS descheduled its
// holder, and elections failed for minutes: every vote RPC outlived its
// 2 s timeout waiting for the lock, not for the network.
type Faults struct {
	mu    sync.Mutex                         // serializes Cut, Heal and HealAll
	cut   atomic.Pointer[map[[2]string]bool] // read without locks; never modified once stored
	conns sync.Map                           // *faultConn -> struct{}: the open connections, for Cut
}

// NewFaults returns a filter with every link healed.
func NewFaults() *Faults {
	f := &Faults{}
	f.cut.Store(&map[[2]string]bool{})
	return f
}

func pair(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// setCut stores a copy of the cut set with link cut or healed; f.mu is held.
func (f *Faults) setCut(link [2]string, cut bool) {
	var old map[[2]string]bool
	if p := f.cut.Load(); p != nil {
		old = *p
	}
	next := make(map[[2]string]bool, len(old)+1)
	for k := range old {
		if k != link {
			next[k] = true
		}
	}
	if cut {
		next[link] = true
	}
	f.cut.Store(&next)
}

// Cut blocks all replication traffic between nodes a and b.
func (f *Faults) Cut(a, b string) {
	p := pair(a, b)
	f.mu.Lock()
	f.setCut(p, true)
	f.mu.Unlock()
	f.conns.Range(func(k, _ any) bool {
		if c := k.(*faultConn); pair(c.local, c.remote) == p {
			_ = c.Close()
		}
		return true
	})
}

// Heal restores traffic between a and b.
func (f *Faults) Heal(a, b string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setCut(pair(a, b), false)
}

// HealAll restores every link.
func (f *Faults) HealAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cut.Store(&map[[2]string]bool{})
}

// Blocked reports whether traffic between a and b is cut.
func (f *Faults) Blocked(a, b string) bool {
	if f == nil {
		return false
	}
	cut := f.cut.Load()
	return cut != nil && len(*cut) > 0 && (*cut)[pair(a, b)]
}

// wrap tracks a connection between local and remote so Cut can close it.
func (f *Faults) wrap(c net.Conn, local, remote string) net.Conn {
	if f == nil {
		return c
	}
	fc := &faultConn{Conn: c, f: f, local: local, remote: remote}
	f.conns.Store(fc, struct{}{})
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
	c.once.Do(func() { c.f.conns.Delete(c) })
	return c.Conn.Close()
}
