package transport

import (
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

func TestHeartbeatCodecRoundTrip(t *testing.T) {
	items := []hbItem{
		{channel: 3, req: raft.AppendEntriesRequest{RPCHeader: raft.RPCHeader{ProtocolVersion: 3, ID: []byte("n1"), Addr: []byte("127.0.0.1:1")}, Term: 7}},
		{channel: 0xFFFFFFFD, req: raft.AppendEntriesRequest{RPCHeader: raft.RPCHeader{Addr: []byte("x")}, Term: 1}},
	}
	// The deprecated Leader field travels too (raft still sets it).
	//lint:ignore SA1019 checks that the field raft sets for older nodes is carried
	items[0].req.Leader = []byte("127.0.0.1:1")
	got, err := decodeHeartbeats(encodeHeartbeats(items))
	if err != nil || !reflect.DeepEqual(got, items) {
		t.Fatalf("requests: got %+v, %v; want %+v", got, err, items)
	}
	for _, it := range got {
		if !isHeartbeat(&it.req) {
			t.Fatalf("decoded %+v is not a heartbeat", it.req)
		}
	}
	answers := []hbAnswer{
		{resp: raft.AppendEntriesResponse{RPCHeader: raft.RPCHeader{ProtocolVersion: 3, ID: []byte("n2")}, Term: 7, LastLog: 99, Success: true}},
		{err: "no group"},
		{resp: raft.AppendEntriesResponse{Term: 8, NoRetryBackoff: true}},
	}
	back, err := decodeAnswers(encodeAnswers(answers))
	if err != nil || !reflect.DeepEqual(back, answers) {
		t.Fatalf("answers: got %+v, %v; want %+v", back, err, answers)
	}
}

// fromA is the header of a request from a leader at "a".
func fromA() raft.RPCHeader { return raft.RPCHeader{Addr: []byte("a")} }

func TestHeartbeatCodecRejectsMalformed(t *testing.T) {
	good := encodeHeartbeats([]hbItem{{channel: 1, req: raft.AppendEntriesRequest{RPCHeader: fromA(), Term: 2}}})
	cases := map[string][]byte{
		"empty":          nil,
		"wrong version":  append([]byte{9}, good[1:]...),
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte(nil), good...), 0),
		"huge count":     {hbVersion, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge field":     {hbVersion, 1, 1, 2, 0, 0xff, 0xff, 0x03},
	}
	for name, b := range cases {
		if _, err := decodeHeartbeats(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	if _, err := decodeAnswers([]byte{hbVersion, 1, 7}); err == nil {
		t.Error("answer with an unknown status decoded without error")
	}
}

// TestOnlyHeartbeatsAreCoalesced: requests carrying log state are never
// taken for heartbeats (they must reach Raft's main loop).
func TestOnlyHeartbeatsAreCoalesced(t *testing.T) {
	hb := raft.AppendEntriesRequest{RPCHeader: fromA(), Term: 2}
	for name, r := range map[string]raft.AppendEntriesRequest{
		"commit index": {RPCHeader: fromA(), Term: 2, LeaderCommitIndex: 5},
		"prev entry":   {RPCHeader: fromA(), Term: 2, PrevLogEntry: 4, PrevLogTerm: 1},
		"entries":      {RPCHeader: fromA(), Term: 2, Entries: []*raft.Log{{Index: 1}}},
		"no term":      {RPCHeader: fromA()},
		"no leader":    {Term: 2},
	} {
		if isHeartbeat(&r) {
			t.Errorf("%s: taken for a heartbeat", name)
		}
	}
	if !isHeartbeat(&hb) {
		t.Error("a heartbeat was not recognised")
	}
}

// raftCluster is a set of real hashicorp/raft groups over Muxes, the way
// package node wires them (in-memory logs, kept across restarts).
type raftCluster struct {
	t       *testing.T
	addrs   []string
	resolve Resolver
	legacy  map[int]bool
	// trunks enables trunks on every node but those oldTrunk marks as
	// from before trunks (set before their start).
	trunks   bool
	oldTrunk map[int]bool
	conf     raft.Configuration
	ngroups  int
	muxes    []*Mux
	groups   [][]*raft.Raft // [node][group]
	trs      [][]*GroupTransport
	stores   [][]*raft.InmemStore
	snaps    [][]*raft.InmemSnapshotStore
}

func startRaftCluster(t *testing.T, nodes, groups int, legacy map[int]bool) *raftCluster {
	t.Helper()
	return startRaftClusterWith(t, &raftCluster{legacy: legacy}, nodes, groups)
}

// startRaftClusterWith is startRaftCluster with c's legacy and oldTrunk.
func startRaftClusterWith(t *testing.T, c *raftCluster, nodes, groups int) *raftCluster {
	t.Helper()
	c.t, c.ngroups = t, groups
	lns := make([]net.Listener, nodes)
	book := map[string]string{}
	for i := range lns {
		lns[i] = listen(t)
		c.addrs = append(c.addrs, lns[i].Addr().String())
		book[c.addrs[i]] = "n" + strconv.Itoa(i)
		c.conf.Servers = append(c.conf.Servers, raft.Server{ID: raft.ServerID("n" + strconv.Itoa(i)), Address: raft.ServerAddress(c.addrs[i])})
	}
	c.resolve = func(addr string) (string, bool) { id, ok := book[addr]; return id, ok }
	c.muxes = make([]*Mux, nodes)
	c.groups = make([][]*raft.Raft, nodes)
	c.trs = make([][]*GroupTransport, nodes)
	c.stores = make([][]*raft.InmemStore, nodes)
	c.snaps = make([][]*raft.InmemSnapshotStore, nodes)
	for i := range nodes {
		for range groups {
			c.stores[i] = append(c.stores[i], raft.NewInmemStore())
			c.snaps[i] = append(c.snaps[i], raft.NewInmemSnapshotStore())
		}
		c.startNode(i, lns[i], true)
	}
	t.Cleanup(func() {
		for i := range c.muxes {
			c.stopNode(i)
		}
	})
	return c
}

// startNode runs node i's Mux on ln and its groups on their stores.
func (c *raftCluster) startNode(i int, ln net.Listener, bootstrap bool) {
	t := c.t
	t.Helper()
	m := New("n"+strconv.Itoa(i), ln, c.resolve, nil)
	m.legacy = c.legacy[i]
	// A node from before trunks neither accepts nor dials them.
	m.legacyTrunk = c.oldTrunk[i]
	if c.trunks && !c.oldTrunk[i] && !c.legacy[i] {
		m.EnableTrunks()
	}
	c.muxes[i], c.groups[i], c.trs[i] = m, nil, nil
	for g := range c.ngroups {
		rc := raft.DefaultConfig()
		rc.LocalID = raft.ServerID("n" + strconv.Itoa(i))
		rc.HeartbeatTimeout, rc.ElectionTimeout, rc.LeaderLeaseTimeout = 1200*time.Millisecond, 1200*time.Millisecond, 1190*time.Millisecond
		rc.CommitTimeout = 500 * time.Millisecond
		rc.Logger = hclog.NewNullLogger()
		inner := raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
			Stream: m.Channel(uint32(g + 1)), MaxPool: 2, MaxRPCsInFlight: 1, Timeout: 2 * time.Second, Logger: hclog.NewNullLogger(),
		})
		tr := m.Coalesce(uint32(g+1), inner, nil, 2*time.Second)
		store := c.stores[i][g]
		r, err := raft.NewRaft(rc, &nopFSM{}, store, store, c.snaps[i][g], tr)
		if err != nil {
			t.Fatal(err)
		}
		if bootstrap {
			if err := r.BootstrapCluster(c.conf).Error(); err != nil {
				t.Fatal(err)
			}
		}
		c.groups[i] = append(c.groups[i], r)
		c.trs[i] = append(c.trs[i], tr)
	}
}

// stopNode shuts node i's groups and Mux down (its stores stay).
func (c *raftCluster) stopNode(i int) {
	for _, r := range c.groups[i] {
		_ = r.Shutdown().Error()
	}
	for _, tr := range c.trs[i] {
		_ = tr.Close()
	}
	_ = c.muxes[i].Close()
	c.groups[i], c.trs[i] = nil, nil
}

// restartNode stops node i and starts it again on the same address, from
// its stores: a process restart (its commit index is gone).
func (c *raftCluster) restartNode(i int) {
	c.t.Helper()
	c.stopNode(i)
	var ln net.Listener
	var err error
	for attempt := 0; ; attempt++ {
		if ln, err = net.Listen("tcp", c.addrs[i]); err == nil {
			break
		}
		if attempt == 100 {
			c.t.Fatalf("listen again on %s: %v", c.addrs[i], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.startNode(i, ln, false)
}

// waitLed waits until every group has one leader that every member knows.
func (c *raftCluster) waitLed(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for g := range c.groups[0] {
		for {
			leader, agreed := raft.ServerID(""), true
			for i := range c.groups {
				_, id := c.groups[i][g].LeaderWithID()
				if id == "" || (leader != "" && id != leader) {
					agreed = false
				}
				leader = id
			}
			if agreed {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("group %d has no agreed leader after 30 s", g)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// leadAll moves every group's leadership to node i.
func (c *raftCluster) leadAll(t *testing.T, i int) {
	t.Helper()
	id := raft.ServerID("n" + strconv.Itoa(i))
	addr := raft.ServerAddress(c.muxes[i].Addr().String())
	for g := range c.groups[i] {
		for attempt := 0; c.groups[i][g].State() != raft.Leader; attempt++ {
			if attempt == 50 {
				t.Fatalf("group %d: leadership did not move to %s", g, id)
			}
			for j := range c.groups {
				if c.groups[j][g].State() == raft.Leader {
					_ = c.groups[j][g].LeadershipTransferToServer(id, addr).Error()
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	c.waitLed(t)
}

func (c *raftCluster) stats() (s HeartbeatStats) {
	for _, m := range c.muxes {
		st := m.HeartbeatStats()
		s.Heartbeats += st.Heartbeats
		s.Frames += st.Frames
	}
	return s
}

// terms sums every replica's term: it moves only with elections.
func (c *raftCluster) terms() (sum uint64) {
	for _, rs := range c.groups {
		for _, r := range rs {
			sum += r.CurrentTerm()
		}
	}
	return sum
}

type nopFSM struct{}

func (nopFSM) Apply(*raft.Log) any                 { return nil }
func (nopFSM) Snapshot() (raft.FSMSnapshot, error) { return nopSnap{}, nil }
func (nopFSM) Restore(rc io.ReadCloser) error      { return rc.Close() }

type nopSnap struct{}

func (nopSnap) Persist(s raft.SnapshotSink) error { return s.Close() }
func (nopSnap) Release()                          {}

// TestHeartbeatsCoalescedPerPeer is the idle-cost regression test: idle
// Raft groups over Muxes keep their leaders (no election in the window),
// their heartbeats travel all in one frame per peer and grid step, and
// followers hear from their leader every step. These are counts over a
// window, bounded from above; a window a loaded machine spoils is
// measured again, up to three times.
func TestHeartbeatsCoalescedPerPeer(t *testing.T) {
	const nodes, groups = 3, 8
	c := startRaftCluster(t, nodes, groups, nil)
	c.waitLed(t)
	c.leadAll(t, 0) // every frame from n0 can carry all 8 groups
	time.Sleep(time.Second)
	var problems []string
	for attempt := 1; attempt <= 3; attempt++ {
		terms, before, start := c.terms(), c.stats(), time.Now()
		// The longest a follower went without hearing from its leader.
		var silent time.Duration
		for time.Since(start) < 3*time.Second {
			for i := 1; i < nodes; i++ {
				for _, r := range c.groups[i] {
					silent = max(silent, time.Since(r.LastContact()))
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		after, took := c.stats(), time.Since(start)
		if got := c.terms(); got != terms {
			t.Fatalf("elections while idle: terms summed %d, then %d", terms, got)
		}
		hbs, frames := after.Heartbeats-before.Heartbeats, after.Frames-before.Frames
		pairs := float64(nodes * (nodes - 1))
		steps := took.Seconds() / DefaultHeartbeatGrid.Seconds()
		perGroupPeer := float64(hbs) / took.Seconds() / float64(groups*(nodes-1))
		t.Logf("%v: %d heartbeats in %d frames (%.1f per frame), %.2f heartbeats/s per group and follower, %.2f frames/s per peer, followers silent up to %v",
			took.Round(time.Millisecond), hbs, frames, float64(hbs)/float64(max(frames, 1)), perGroupPeer, float64(frames)/took.Seconds()/pairs, silent.Round(time.Millisecond))
		problems = problems[:0]
		if hbs == 0 || frames == 0 {
			t.Fatalf("no coalesced heartbeats: %d in %d frames", hbs, frames)
		}
		// A frame from n0 to a follower carries all 8 groups; one
		// heartbeat per frame would mean no coalescing.
		if hbs < 6*frames {
			problems = append(problems, fmt.Sprintf("%d heartbeats in %d frames: want at least 6 per frame", hbs, frames))
		}
		// One frame per peer per grid step at most (plus one after a slow
		// round trip), each with at most one heartbeat per group.
		if limit := pairs * (steps + 2); float64(frames) > limit {
			problems = append(problems, fmt.Sprintf("%d frames in %v, want at most %.0f (one per peer per %v)", frames, took, limit, DefaultHeartbeatGrid))
		}
		if limit := (steps + 2) / took.Seconds(); perGroupPeer > limit {
			problems = append(problems, fmt.Sprintf("%.2f heartbeats/s per group and follower, want at most %.1f (one per step)", perGroupPeer, limit))
		}
		// Raft alone lets 240 ms pass between heartbeats; a step is 130.
		if silent > 3*DefaultHeartbeatGrid {
			problems = append(problems, fmt.Sprintf("a follower went %v without hearing from its leader, want at most %v", silent, 3*DefaultHeartbeatGrid))
		}
		if len(problems) == 0 {
			return
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestHeartbeatsFallBackForOlderPeers: a node that does not take
// coalesced heartbeats (an older version) still gets heartbeats, one RPC
// each, and keeps its leaders.
func TestHeartbeatsFallBackForOlderPeers(t *testing.T) {
	const groups = 4
	c := startRaftCluster(t, 3, groups, map[int]bool{2: true})
	c.waitLed(t)
	// n2 follows in every group, so it needs heartbeats from the others.
	for g, r := range c.groups[2] {
		if r.State() == raft.Leader {
			if err := r.LeadershipTransfer().Error(); err != nil {
				t.Fatalf("move group %d away from n2: %v", g, err)
			}
		}
	}
	c.waitLed(t)
	time.Sleep(1500 * time.Millisecond) // longer than the heartbeat timeout
	for g, r := range c.groups[2] {
		if st := r.State(); st != raft.Follower {
			t.Fatalf("group %d on n2 is %v, want follower", g, st)
		}
		if since := time.Since(r.LastContact()); since > 800*time.Millisecond {
			t.Fatalf("group %d on n2 last heard from its leader %v ago", g, since)
		}
	}
}

// TestHeartbeatToHungPeer: a peer that accepts and never answers fails
// the heartbeat after its timeout, and closing the Mux fails a waiting
// one at once.
func TestHeartbeatToHungPeer(t *testing.T) {
	hung := listen(t)
	t.Cleanup(func() { _ = hung.Close() })
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	la := listen(t)
	m := New("a", la, func(string) (string, bool) { return "hung", true }, nil)
	inner := raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{Stream: m.Channel(1), Timeout: time.Second, Logger: hclog.NewNullLogger()})
	tr := m.Coalesce(1, inner, nil, 300*time.Millisecond)
	t.Cleanup(func() { _ = tr.Close() })
	req := raft.AppendEntriesRequest{RPCHeader: fromA(), Term: 1}
	start := time.Now()
	var resp raft.AppendEntriesResponse
	if err := tr.AppendEntries("hung", raft.ServerAddress(hung.Addr().String()), &req, &resp); err == nil {
		t.Fatal("heartbeat to a hung peer succeeded")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("heartbeat to a hung peer took %v", took)
	}
	tr.timeout = time.Minute
	errc := make(chan error, 1)
	go func() {
		var resp raft.AppendEntriesResponse
		errc <- tr.AppendEntries("hung", raft.ServerAddress(hung.Addr().String()), &req, &resp)
	}()
	time.Sleep(300 * time.Millisecond) // queued or in flight
	_ = m.Close()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("heartbeat succeeded on a closed transport")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("closing the Mux left a heartbeat waiting")
	}
}

// TestIdleCommitResendsSkippedUntilSomethingChanges: an idle leader's
// repeated commit index re-sends are answered by the transport, a new
// write still reaches every follower's state machine, and so does the
// commit index after a follower restarts (it has forgotten it).
func TestIdleCommitResendsSkippedUntilSomethingChanges(t *testing.T) {
	c := startRaftCluster(t, 3, 2, nil)
	c.waitLed(t)
	c.leadAll(t, 0)
	// apply writes once to every group through n0. A loaded machine can
	// starve n0 long enough for an election during the idle wait; then
	// leadership is moved back and the write tried again.
	apply := func() {
		t.Helper()
		for g := range c.groups[0] {
			for attempt := 1; ; attempt++ {
				err := c.groups[0][g].Apply([]byte("x"), 5*time.Second).Error()
				if err == nil {
					break
				}
				if attempt == 5 || (!errors.Is(err, raft.ErrNotLeader) && !errors.Is(err, raft.ErrLeadershipLost)) {
					t.Fatalf("apply on group %d (attempt %d): %v", g, attempt, err)
				}
				c.leadAll(t, 0)
			}
		}
	}
	// caughtUp waits until every replica applied all the leader committed.
	caughtUp := func(what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for g := range c.groups[0] {
			want := c.groups[0][g].CommitIndex()
			for i := range c.groups {
				for c.groups[i][g].AppliedIndex() < want {
					if time.Now().After(deadline) {
						t.Fatalf("%s: n%d applied %d of group %d, the leader committed %d", what, i, c.groups[i][g].AppliedIndex(), g, want)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
	}
	apply()
	caughtUp("first write")
	skipped := func() (n uint64) {
		for _, m := range c.muxes {
			n += m.HeartbeatStats().ResendsSkipped
		}
		return n
	}
	before := skipped()
	time.Sleep(3 * time.Second)
	if got := skipped() - before; got == 0 {
		t.Fatal("no idle commit index re-send was skipped in 3 s")
	}
	apply()
	caughtUp("write after an idle period")
	c.restartNode(1)
	caughtUp("restarted follower")
}
