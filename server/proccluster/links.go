//go:build unix

package proccluster

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Replication links that a test can cut (Options.Links).
//
// Each node's replication port gets a relay in the test process: the other
// nodes are told (--peers) that the node's replication address is its
// relay, which passes connections on to the node's real port. Every
// replication connection starts with the dialing node's id (the transport's
// header: four bytes of magic, a channel, the id's length and the id), so a
// relay knows which link a connection is on: Cut closes the connections on
// a link and refuses new ones until Heal, a real partition of two serve
// processes that leaves their client ports and every other link alone.

// relayHeaderFixed is the transport header before the sender's id: four
// bytes of magic, the channel (uint32) and the id's length (transport/mux.go
// writeHeader).
const relayHeaderFixed = 9

// links relays the replication connections between the nodes.
type links struct {
	mu     sync.Mutex
	cut    map[[2]string]bool
	conns  map[[2]string]map[net.Conn]struct{}
	relays map[string]net.Listener // by the node relayed to
	wg     sync.WaitGroup
}

func linkKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// startRelays starts a relay in front of each node's replication port and
// returns their addresses.
func (c *Cluster) startRelays(t testing.TB) map[string]string {
	l := &links{cut: map[[2]string]bool{}, conns: map[[2]string]map[net.Conn]struct{}{}, relays: map[string]net.Listener{}}
	addrs := map[string]string{}
	for _, id := range c.ids {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l.relays[id] = ln
		addrs[id] = ln.Addr().String()
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.accept(ln, id, c.raftAddrs[id])
		}()
	}
	t.Cleanup(l.close)
	c.links = l
	return addrs
}

func (l *links) accept(ln net.Listener, to, target string) {
	for {
		in, err := ln.Accept()
		if err != nil {
			return
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.relay(in, to, target)
		}()
	}
}

// relay passes one connection to the node "to" on, unless its link is cut.
func (l *links) relay(in net.Conn, to, target string) {
	_ = in.SetReadDeadline(time.Now().Add(5 * time.Second))
	head := make([]byte, relayHeaderFixed, relayHeaderFixed+255)
	if _, err := io.ReadFull(in, head); err != nil {
		_ = in.Close()
		return
	}
	head = head[:relayHeaderFixed+int(head[8])]
	if _, err := io.ReadFull(in, head[relayHeaderFixed:]); err != nil {
		_ = in.Close()
		return
	}
	_ = in.SetReadDeadline(time.Time{})
	from := string(head[relayHeaderFixed:])
	key := linkKey(from, to)
	out, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		_ = in.Close()
		return
	}
	if !l.track(key, in, out) {
		_ = in.Close()
		_ = out.Close()
		return
	}
	defer l.untrack(key, in, out)
	if _, err := out.Write(head); err != nil {
		_ = in.Close()
		_ = out.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	<-done
}

// track records a relayed connection pair, false if its link is cut.
func (l *links) track(key [2]string, cs ...net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cut[key] || l.relays == nil {
		return false
	}
	m := l.conns[key]
	if m == nil {
		m = map[net.Conn]struct{}{}
		l.conns[key] = m
	}
	for _, c := range cs {
		m[c] = struct{}{}
	}
	return true
}

func (l *links) untrack(key [2]string, cs ...net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range cs {
		delete(l.conns[key], c)
	}
}

// setCut cuts or heals the link between a and b; cutting closes the
// connections open on it.
func (l *links) setCut(a, b string, cut bool) {
	key := linkKey(a, b)
	l.mu.Lock()
	var doomed []net.Conn
	if cut {
		l.cut[key] = true
		for c := range l.conns[key] {
			doomed = append(doomed, c)
		}
	} else {
		delete(l.cut, key)
	}
	l.mu.Unlock()
	for _, c := range doomed {
		_ = c.Close()
	}
}

func (l *links) close() {
	l.mu.Lock()
	relays := l.relays
	l.relays = nil
	var doomed []net.Conn
	for _, m := range l.conns {
		for c := range m {
			doomed = append(doomed, c)
		}
	}
	l.mu.Unlock()
	for _, ln := range relays {
		_ = ln.Close()
	}
	for _, c := range doomed {
		_ = c.Close()
	}
	l.wg.Wait()
}

// Cut blocks the replication traffic between nodes a and b in both
// directions (Options.Links): open connections are closed, new ones refused.
func (c *Cluster) Cut(t testing.TB, a, b string) {
	t.Helper()
	if c.links == nil {
		t.Fatal("proccluster: Cut needs Options.Links")
	}
	c.links.setCut(a, b, true)
}

// Heal restores the replication traffic between a and b.
func (c *Cluster) Heal(t testing.TB, a, b string) {
	t.Helper()
	if c.links == nil {
		t.Fatal("proccluster: Heal needs Options.Links")
	}
	c.links.setCut(a, b, false)
}

// Isolate cuts every replication link of id; HealAll undoes it.
func (c *Cluster) Isolate(t testing.TB, id string) {
	t.Helper()
	for _, p := range c.ids {
		if p != id {
			c.Cut(t, id, p)
		}
	}
}

// HealAll restores every replication link.
func (c *Cluster) HealAll(t testing.TB) {
	t.Helper()
	for i, a := range c.ids {
		for _, b := range c.ids[i+1:] {
			c.Heal(t, a, b)
		}
	}
}
