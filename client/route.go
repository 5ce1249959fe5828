package client

import (
	"net"
	"time"
)

// downFor is how long a node that failed at the transport level is avoided
// while other nodes can serve.
const downFor = 500 * time.Millisecond

// locate picks the node to send a request for shard to: the cached leader,
// else the shard's replicas, else any known node, else a seed. It skips
// nodes already tried in this call and, while others remain, nodes that
// failed recently; it spreads load round-robin. With anyReplica the
// shard's replicas come first, taken in turn, so stale reads spread over
// them instead of all landing on the leader.
func (c *Client) locate(shard int, tried *addrSet, anyReplica bool) string {
	if anyReplica {
		if a := c.pickNode(shard, tried, true); a != "" {
			return a
		}
	}
	if leaders := c.sh().leaders; shard >= 0 && shard < len(leaders) {
		if e := leaders[shard].Load(); e != nil && e.addr != "" && !tried.has(e.addr) && !c.pool.IsDown(e.addr) {
			return e.addr
		}
	}
	if a := c.pickNode(shard, tried, true); a != "" {
		return a
	}
	// Every healthy node was tried: ask them again (an election may have
	// ended) before a node that failed recently: a hung leader must not
	// get the next attempt just because the followers keep naming it.
	if a := c.pickNode(shard, &addrSet{}, true); a != "" {
		tried.reset()
		return a
	}
	if a := c.pickNode(shard, tried, false); a != "" {
		return a
	}
	tried.reset()
	seeds := c.cfg.Nodes
	start := int(c.rr.Add(1))
	for i := range seeds {
		if a := seeds[(start+i)%len(seeds)]; !c.isForeign(a) {
			return a
		}
	}
	return seeds[start%len(seeds)]
}

// pickNode returns the first usable candidate among the shard's replicas,
// the view's nodes and the seeds ("" when none); skipDown also skips nodes
// that failed recently.
func (c *Client) pickNode(shard int, tried *addrSet, skipDown bool) string {
	ok := func(a string) bool { return a != "" && !tried.has(a) && !(skipDown && c.pool.IsDown(a)) }
	t := c.topo.Load()
	start := int(c.rr.Add(1))
	if t != nil && shard >= 0 && shard < len(t.replicas) {
		reps := t.replicas[shard]
		for i := range reps {
			if a := t.addrByID[reps[(start+i)%len(reps)]]; ok(a) {
				return a
			}
		}
	}
	if t != nil {
		addrs := t.nodeAddrs()
		for i := range addrs {
			if a := addrs[(start+i)%len(addrs)]; ok(a) {
				return a
			}
		}
	}
	// Never a seed that answers as another cluster's node: a write there
	// would land in the wrong cluster.
	seeds := c.cfg.Nodes
	for i := range seeds {
		if a := seeds[(start+i)%len(seeds)]; ok(a) && !c.isForeign(a) {
			return a
		}
	}
	return ""
}

// resolveHint turns a leader hint (address or node id) into an address.
func (c *Client) resolveHint(h string) (id, addr string) {
	if h == "" {
		return "", ""
	}
	if t := c.topo.Load(); t != nil {
		if a, ok := t.addrByID[h]; ok && a != "" {
			return h, a
		}
		if id, ok := t.idByAddr[h]; ok {
			return id, h
		}
	}
	if _, port, err := net.SplitHostPort(h); err == nil && port != "" {
		return "", h
	}
	return "", "" // a node id we cannot resolve yet: relocate
}

// cacheLeader records a leader learned from a redirect.
func (c *Client) cacheLeader(shard int, id, addr string) {
	leaders := c.sh().leaders
	if shard < 0 || shard >= len(leaders) {
		return
	}
	leaders[shard].Store(&leaderEntry{id: id, addr: addr})
}

// forgetLeader drops the cached leader of shard if it is still addr.
func (c *Client) forgetLeader(shard int, addr string) {
	leaders := c.sh().leaders
	if shard < 0 || shard >= len(leaders) {
		return
	}
	if e := leaders[shard].Load(); e != nil && e.addr == addr {
		leaders[shard].CompareAndSwap(e, nil)
	}
}

// addrSet is a small set of addresses with no allocation for the first few.
type addrSet struct {
	n     int
	addrs [8]string
}

func (s *addrSet) has(a string) bool {
	for i := 0; i < s.n; i++ {
		if s.addrs[i] == a {
			return true
		}
	}
	return false
}

func (s *addrSet) add(a string) {
	if s.has(a) {
		return
	}
	if s.n == len(s.addrs) {
		s.reset()
	}
	s.addrs[s.n] = a
	s.n++
}

func (s *addrSet) full() bool { return s.n == len(s.addrs) }
func (s *addrSet) reset()     { s.n = 0 }
