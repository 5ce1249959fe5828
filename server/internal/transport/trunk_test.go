package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// echoChannels makes channels 1..n on m echo every connection they accept.
// trunkPair is pairOfMuxes with trunks enabled on both.
func trunkPair(t *testing.T, f *Faults) (*Mux, *Mux) {
	a, b := pairOfMuxes(t, f)
	a.EnableTrunks()
	b.EnableTrunks()
	return a, b
}

func echoChannels(m *Mux, n int) {
	for id := 1; id <= n; id++ {
		echoOn(m.Channel(uint32(id)))
	}
}

// echoOn echoes every connection ch accepts until ch closes.
func echoOn(ch raft.StreamLayer) {
	go func() {
		for {
			c, err := ch.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); _ = c.Close() }()
		}
	}()
}

func connCount(m *Mux) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.conns)
}

func echoOnce(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { _, err := c.Write(msg); errc <- err }()
	got := make([]byte, len(msg))
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo differs (%d bytes)", len(msg))
	}
}

// TestTrunkCarriesAllGroupsToAPeer: the connections of 8 channels to one
// peer are streams of one TCP connection, each its own ordered byte
// stream, including a write larger than a frame and than the buffers.
func TestTrunkCarriesAllGroupsToAPeer(t *testing.T) {
	a, b := trunkPair(t, nil)
	const groups = 8
	echoChannels(b, groups)
	var wg sync.WaitGroup
	conns := make([]net.Conn, groups)
	for g := range groups {
		c, err := a.Channel(uint32(g+1)).Dial(raft.ServerAddress(b.Addr().String()), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*stream); !ok {
			t.Fatalf("group %d dialed %T, want a trunk stream", g, c)
		}
		conns[g] = c
	}
	for g, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				echoOnce(t, c, []byte(fmt.Sprintf("group %d message %d", g, i)))
			}
		}()
	}
	wg.Wait()
	big := bytes.Repeat([]byte("0123456789abcdef"), (9<<20)/16) // 9 MiB: frames, back-pressure, a full stream buffer
	echoOnce(t, conns[0], big)
	if n := connCount(b); n != 1 {
		t.Fatalf("peer holds %d connections, want 1 trunk", n)
	}
	for _, c := range conns {
		_ = c.Close()
	}
}

// TestTrunkStreamCloseAndDeadline: closing a stream ends it on the other
// end (EOF) and a read deadline fails a read that waits too long.
func TestTrunkStreamCloseAndDeadline(t *testing.T) {
	a, b := trunkPair(t, nil)
	chB := b.Channel(1)
	c, err := a.Channel(1).Dial(raft.ServerAddress(b.Addr().String()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	peer, err := chB.Accept()
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var ne net.Error
	if _, err := c.Read(make([]byte, 1)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	_ = c.Close()
	got, err := io.ReadAll(peer)
	if err != nil || string(got) != "hi" {
		t.Fatalf("peer read %q, %v; want \"hi\" then EOF", got, err)
	}
	if _, err := c.Write([]byte("x")); err == nil {
		t.Fatal("write on a closed stream succeeded")
	}
}

// TestTrunkFallsBackForOlderPeers: a peer from before trunks closes the
// trunk channel; its groups are dialed directly, as before.
func TestTrunkFallsBackForOlderPeers(t *testing.T) {
	a, b := trunkPair(t, nil)
	b.legacyTrunk = true
	echoChannels(b, 2)
	for g := uint32(1); g <= 2; g++ {
		c, err := a.Channel(g).Dial(raft.ServerAddress(b.Addr().String()), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*stream); ok {
			t.Fatal("dialed a trunk stream to a peer without trunks")
		}
		echoOnce(t, c, []byte("direct"))
		_ = c.Close()
	}
	a.mu.Lock()
	slot := a.trunks[b.Addr().String()]
	a.mu.Unlock()
	if slot == nil || !time.Now().Before(slot.legacyUntil) {
		t.Fatal("the older peer is not remembered")
	}
}

// TestTrunkCutAndPeerRestart: a cut link fails the trunk's streams and a
// dial, healing it dials a new trunk; so does a peer that restarted.
func TestTrunkCutAndPeerRestart(t *testing.T) {
	f := NewFaults()
	a, b := trunkPair(t, f)
	echoChannels(b, 1)
	addr := raft.ServerAddress(b.Addr().String())
	c, err := a.Channel(1).Dial(addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	echoOnce(t, c, []byte("before"))
	f.Cut("a", "b")
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read on a cut trunk succeeded")
	}
	if _, err := a.Channel(1).Dial(addr, time.Second); !errors.Is(err, ErrLinkCut) {
		t.Fatalf("dial on a cut link: %v", err)
	}
	f.Heal("a", "b")
	c, err = a.Channel(1).Dial(addr, time.Second)
	if err != nil {
		t.Fatalf("dial after heal: %v", err)
	}
	echoOnce(t, c, []byte("after heal"))

	// The peer restarts on the same address.
	_ = b.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read from a closed peer succeeded")
	}
	var ln net.Listener
	for attempt := 0; ; attempt++ {
		if ln, err = net.Listen("tcp", string(addr)); err == nil {
			break
		}
		if attempt == 100 {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b2 := New("b", ln, b.resolve, f)
	t.Cleanup(func() { _ = b2.Close() })
	echoChannels(b2, 1)
	c, err = a.Channel(1).Dial(addr, time.Second)
	if err != nil {
		t.Fatalf("dial the restarted peer: %v", err)
	}
	echoOnce(t, c, []byte("after restart"))
}

// TestTrunkGarbageFrameFailsTheTrunk: an unknown frame type or an
// oversized frame closes the trunk instead of misreading the stream.
func TestTrunkGarbageFrameFailsTheTrunk(t *testing.T) {
	a, _ := trunkPair(t, nil)
	for _, frame := range [][]byte{
		{9, 0, 0, 0, 1, 0, 0, 0, 0},            // unknown type
		{frameData, 0, 0, 0, 1, 0xFF, 0, 0, 0}, // 4 GiB of data
	} {
		c, err := net.Dial("tcp", a.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if err := writeHeader(c, TrunkChannel, "b"); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write([]byte(trunkHello))
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		back := make([]byte, len(trunkHello))
		if _, err := io.ReadFull(c, back); err != nil {
			t.Fatalf("no hello back: %v", err)
		}
		_, _ = c.Write(frame)
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatalf("trunk survived frame % x", frame)
		}
		_ = c.Close()
	}
}

// replicateEverywhere applies n entries to every group concurrently at its
// leader and waits until every replica of every group stored them.
func replicateEverywhere(t *testing.T, c *raftCluster, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, c.ngroups)
	for g := range c.ngroups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				var leader *raft.Raft
				for _, rs := range c.groups {
					if rs[g].State() == raft.Leader {
						leader = rs[g]
					}
				}
				if leader == nil {
					time.Sleep(20 * time.Millisecond)
					i--
					continue
				}
				if err := leader.Apply([]byte(fmt.Sprintf("g%d-%d", g, i)), 5*time.Second).Error(); err != nil {
					errs <- fmt.Errorf("group %d entry %d: %w", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for g := range c.ngroups {
		for {
			var want uint64
			for _, rs := range c.groups {
				if rs[g].State() == raft.Leader {
					want = rs[g].LastIndex()
				}
			}
			same := want > 0
			for i := range c.stores {
				if last, _ := c.stores[i][g].LastIndex(); last != want {
					same = false
				}
			}
			if same {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("group %d: replicas did not converge on index %d", g, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestTrunkRaftGroups: 4 Raft groups on 3 nodes replicate over trunks (one
// connection per ordered pair of nodes besides heartbeats), and with a node
// from before trunks among them (mixed versions during an upgrade).
func TestTrunkRaftGroups(t *testing.T) {
	for _, old := range []map[int]bool{nil, {2: true}} {
		t.Run(fmt.Sprintf("old=%v", old), func(t *testing.T) {
			c := &raftCluster{trunks: true, oldTrunk: old}
			c = startRaftClusterWith(t, c, 3, 4)
			c.waitLed(t)
			replicateEverywhere(t, c, 30)
			if old != nil {
				for i := range 2 { // the new nodes talk to n2 on connections of their own
					c.muxes[i].mu.Lock()
					slot := c.muxes[i].trunks[c.addrs[2]]
					c.muxes[i].mu.Unlock()
					if slot == nil {
						continue
					}
					slot.mu.Lock()
					has := slot.t != nil
					slot.mu.Unlock()
					if has {
						t.Fatalf("node %d has a trunk to the old node", i)
					}
				}
				return
			}
			for i, m := range c.muxes {
				m.mu.Lock()
				var trunks int
				for _, slot := range m.trunks {
					slot.mu.Lock()
					if slot.t != nil {
						trunks++
					}
					slot.mu.Unlock()
				}
				m.mu.Unlock()
				leads := false
				for _, r := range c.groups[i] {
					leads = leads || r.State() == raft.Leader
				}
				if leads && trunks != 2 {
					t.Fatalf("node %d leads a group and has %d trunks, want one to each peer", i, trunks)
				}
			}
		})
	}
}

// TestTrunkToHungPeer: a peer that accepts and never answers fails the
// hello after the dial timeout (it is not taken for an older node), and
// groups that waited for that dial get its error instead of each waiting
// out a dial of its own.
func TestTrunkToHungPeer(t *testing.T) {
	hung := listen(t)
	defer hung.Close()
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	a, _ := trunkPair(t, nil)
	const groups, timeout = 8, time.Second
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, groups)
	for g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[g] = a.Channel(uint32(g+1)).Dial(raft.ServerAddress(hung.Addr().String()), timeout)
		}()
	}
	wg.Wait()
	for g, err := range errs {
		if err == nil || errors.Is(err, errTrunkRefused) {
			t.Fatalf("group %d: dial of a hung peer returned %v, want a timeout", g, err)
		}
	}
	// One after another they would take groups x timeout (8 s).
	if took := time.Since(start); took > groups*timeout/2 {
		t.Fatalf("dials of a hung peer took %v", took)
	}
	a.mu.Lock()
	slot := a.trunks[hung.Addr().String()]
	a.mu.Unlock()
	if slot.legacyUntil.After(time.Now()) {
		t.Fatal("a hung peer was taken for an older one")
	}
}

// TestTrunkStalledStreamDoesNotBlockOthers: a stream whose consumer
// stops reading fills its window and stalls its writer alone; the other
// streams of the trunk keep flowing.
func TestTrunkStalledStreamDoesNotBlockOthers(t *testing.T) {
	a, b := trunkPair(t, nil)
	echoChannels(b, 1)
	stalled := b.Channel(2) // accepts, never reads
	addr := raft.ServerAddress(b.Addr().String())
	s, err := a.Channel(2).Dial(addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Write(make([]byte, 3*streamWindow)); done <- err }()
	peer, err := stalled.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Channel(1).Dial(addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		echoOnce(t, c, bytes.Repeat([]byte{byte(i)}, 100<<10))
	}
	select {
	case err := <-done:
		t.Fatalf("a write of 3 windows to a consumer that reads nothing returned (%v)", err)
	default:
	}
	// Once the consumer reads, the write completes.
	go func() { _, _ = io.Copy(io.Discard, peer) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the write did not complete after the consumer read")
	}
}

// TestTrunksOffByDefaultButAccepted: without EnableTrunks a Mux dials
// group connections of their own, and it accepts trunks from a peer that
// dials them.
func TestTrunksOffByDefaultButAccepted(t *testing.T) {
	a, b := pairOfMuxes(t, nil)
	a.EnableTrunks()
	chA, chB := a.Channel(1), b.Channel(1)
	echoOn(chA)
	echoOn(chB)
	c, err := chB.Dial(raft.ServerAddress(a.Addr().String()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*stream); ok {
		t.Fatal("a Mux without EnableTrunks dialed a trunk stream")
	}
	echoOnce(t, c, []byte("direct"))
	c, err = chA.Dial(raft.ServerAddress(b.Addr().String()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*stream); !ok {
		t.Fatalf("dialed %T to a peer that accepts trunks, want a stream", c)
	}
	echoOnce(t, c, []byte("trunk"))
}
