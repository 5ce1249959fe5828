package node

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// A node restarted without its data.
//
// Raft's safety assumes a voter never forgets its log or its vote. A node
// whose data dir is gone (disk replaced, wrong volume, rm -rf) and that is
// started again with the same id and addresses used to bootstrap as if
// the cluster were new and vote at once: with its empty log it voted for a
// candidate that lacked writes it had acknowledged, and that candidate
// then overwrote them on the others (server/proccluster
// TestWipedNodeKeepsAcknowledgedWrites).
//
// Now a group without state on disk is opened with Raft's vote hold
// (server/third_party/raft/votehold.go): it neither votes nor campaigns
// there until it has caught up with a leader. Meanwhile the node asks its
// peers, over the replication port, whether they already hold a cluster.
// If one names a cluster id, the node lost its data: the holds stay, and
// it says so in its log. If every peer answers that it holds none, or none
// names one within peerProbeTimeout, the cluster is new: the holds are
// released and the node votes as before (a new cluster whose members all
// start together decides in a few milliseconds). The remaining risk: a
// node wiped while every peer is down (or unreachable for the whole
// probe) cannot tell, and votes at once.

// peerProbeTimeout bounds the start-up question to the peers. A peer that
// does not answer (not started yet) is asked again until then.
const peerProbeTimeout = 3 * time.Second

// peerProbeRetry bounds each question to a peer.
const peerProbeRetry = 250 * time.Millisecond

// peerProbePause is the pause before asking a peer that did not answer
// again: short, since a peer of a new cluster starting a moment later
// refuses the connection at once.
const peerProbePause = 50 * time.Millisecond

// peerProbe is the start-up question and the groups held until it is
// answered.
type peerProbe struct {
	mu        sync.Mutex
	started   bool
	decided   bool         // the peers answered (or the probe timed out)
	clusterID string       // the id they named; "" for a new cluster
	held      []*raft.Raft // groups opened with the hold before the answer
	cancel    context.CancelFunc

	released bool // the caught-up line was written; voteHoldLoop's own
	// written: the held groups (by channel) in which a voter answered
	// that its log holds entries, so they are not new; voteHoldLoop's own.
	written map[uint32]bool
}

// holdVote reports whether a group must be opened with its vote held: a
// voter without state on disk, unless the peers already said the cluster
// is new. The first such group starts the question to the peers.
func (n *Node) holdVote(existing, voter bool) bool {
	if existing || !voter || n.cfg.NoVoteHold {
		return false
	}
	p := &n.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.decided {
		return p.clusterID != "" || !n.layoutPeers.checked.Load()
	}
	if !p.started {
		p.started = true
		ctx, cancel := context.WithTimeout(context.Background(), peerProbeTimeout)
		p.cancel = cancel
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			var asks sync.WaitGroup
			id, answered := n.askPeersForCluster(ctx, &asks)
			cancel()
			if !answered && !n.closing.Load() {
				then := "voting"
				if !n.layoutPeers.checked.Load() {
					then = "voting once its peers confirm its --shards/--groups (layoutpeers.go)"
				}
				n.logf("%s started without data and no majority of its peers answered within %v whether they hold a cluster: taking the cluster for new and %s", n.self.ID, peerProbeTimeout, then)
			}
			n.settleProbe(id)
			asks.Wait()
		}()
	}
	return true
}

// heldGroup notes a group opened with its vote held, releasing it at once
// if the peers said meanwhile that the cluster is new (and confirmed this
// node's counts).
func (n *Node) heldGroup(r *raft.Raft) {
	p := &n.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.decided && p.clusterID == "" && n.layoutPeers.checked.Load() {
		r.ReleaseVoteHold()
		return
	}
	p.held = append(p.held, r)
}

// settleProbe acts on the peers' answer: a named cluster keeps the holds
// (and is logged), none releases them once the peers also confirmed this
// node's --shards/--groups (layoutpeers.go): a node on a new data dir
// whose peers are all down does not vote with counts nobody confirmed.
func (n *Node) settleProbe(clusterID string) {
	p := &n.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	p.decided, p.clusterID = true, clusterID
	if clusterID != "" {
		if !n.closing.Load() {
			n.logf("%s started without data but its peers hold cluster %s: not voting in any group until it has caught up", n.self.ID, clusterID)
		}
		return
	}
	if n.layoutPeers.checked.Load() {
		n.releaseHeldLocked()
	}
}

// releaseVoteHolds releases the groups held for the layout check once it
// allows voting, if the cluster-id question already found the cluster new.
func (n *Node) releaseVoteHolds() {
	p := &n.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.decided && p.clusterID == "" {
		n.releaseHeldLocked()
	}
}

// releaseHeldLocked releases every held group; n.probe.mu is held.
func (n *Node) releaseHeldLocked() {
	p := &n.probe
	for _, r := range p.held {
		r.ReleaseVoteHold()
	}
	p.held = nil
}

// stopProbe ends a start-up question still running (the node is closing).
func (n *Node) stopProbe() {
	p := &n.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		p.cancel()
	}
}

// askPeersForCluster asks every peer for its cluster id and returns the
// first one named; "" once peers that make a majority of the cluster with
// this node answered without one, or when ctx ends first (answered
// false: the cluster is taken for new without knowing). The questions
// still running end with ctx; asks counts them.
//
// A majority is enough: a node that kept its data knows the cluster id
// (the metadata group replicates it to every member), so a majority
// without one is a new cluster or one that lost most of its data, and
// holding the vote protects nothing in either. Waiting for every peer
// instead made a new cluster whose members start one after another wait
// for the last one before anyone voted.
func (n *Node) askPeersForCluster(ctx context.Context, asks *sync.WaitGroup) (id string, answered bool) {
	answers := make(chan string)
	peers := 0
	for _, nd := range n.cfg.Layout.Nodes {
		if nd.ID == n.self.ID {
			continue
		}
		peers++
		asks.Add(1)
		go func() {
			defer asks.Done()
			id, ok := n.askPeerForCluster(ctx, nd.RaftAddr)
			if !ok {
				return // ctx ended
			}
			select {
			case answers <- id:
			case <-ctx.Done():
			}
		}()
	}
	none := 0
	for got := 0; got < peers; got++ {
		select {
		case id := <-answers:
			if id != "" {
				return id, true
			}
			if none++; 2*(none+1) > peers+1 {
				return "", true
			}
		case <-ctx.Done():
			return "", false
		}
	}
	return "", true
}

// askPeerForCluster asks one peer, again while it does not answer, and
// returns the cluster id it names ("" for none); false when ctx ended
// without an answer.
func (n *Node) askPeerForCluster(ctx context.Context, raftAddr string) (string, bool) {
	req, _ := json.Marshal(controlRequest{ClusterID: true})
	for {
		cctx, cancel := context.WithTimeout(ctx, peerProbeRetry)
		raw, err := n.mux.Call(cctx, raftAddr, req)
		cancel()
		if err == nil {
			var rep controlReply
			if json.Unmarshal(raw, &rep) == nil {
				return rep.ClusterID, true
			}
		}
		select {
		case <-ctx.Done():
			return "", false
		case <-time.After(peerProbePause):
		}
	}
}

// knownClusterID answers a peer's start-up question: the cluster id this
// node knows, from its data dir while it is still opening its groups.
func (n *Node) knownClusterID() string {
	if n.opened.Load() {
		return n.ClusterID()
	}
	b, err := os.ReadFile(filepath.Join(n.cfg.DataDir, clusterIDFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// voteHoldLoop returns the job that says when a node that started without
// its data has caught up in every group and votes again.
func (n *Node) voteHoldLoop() func(context.Context) {
	return func(ctx context.Context) {
		p := &n.probe
		p.mu.Lock()
		lost := p.clusterID != ""
		p.mu.Unlock()
		if !lost || p.released {
			return
		}
		n.releaseNewGroups(ctx)
		if n.anyVoteHeld() {
			return
		}
		p.released = true
		n.logf("%s caught up: voting again in every group", n.self.ID)
	}
}

// bootstrapIndex is the last log index of a group that never had a
// leader: its voters' bootstrap configuration, and nothing after it (a
// leader appends an entry as soon as it is elected).
const bootstrapIndex = 1

// groupLogAsk bounds the question to a peer about its log of a group.
const groupLogAsk = 500 * time.Millisecond

// releaseNewGroups releases the hold of each group that is new although
// the cluster is not: every other voter of it answers that its log holds
// nothing past the bootstrap configuration, as this node's does. The
// hold waits for a leader to catch up with; such a group has never had
// one, and a group whose later-started voters all held their votes would
// never get one (a new cluster of five whose first three named the
// cluster before the last two asked: the group of n4, n5 and n1). Nothing
// is lost by voting there: an entry this node acknowledged before losing
// its data was committed on a majority of the group, so another voter
// that kept its log would hold it, and when none did, holding protects
// nothing (as when a majority answers that it holds no cluster).
func (n *Node) releaseNewGroups(ctx context.Context) {
	held := []*raftGroup{}
	if n.meta.raft.VoteHeld() {
		held = append(held, n.meta)
	}
	for _, grp := range n.groups {
		if grp.rg.raft.VoteHeld() {
			held = append(held, grp.rg)
		}
	}
	for _, rg := range held {
		if n.probe.written[rg.channel] || rg.raft.LastIndex() > bootstrapIndex || !n.peersHoldNothing(ctx, rg) {
			continue
		}
		rg.raft.ReleaseVoteHold()
		name := "the metadata group"
		if rg.channel != metaChannel {
			name = fmt.Sprintf("group %d", rg.channel-1)
		}
		n.logf("%s: no voter of %s holds anything past its bootstrap (a group that never had a leader): voting there", n.self.ID, name)
	}
}

// peersHoldNothing reports whether every other voter of rg answered that
// its log of the group ends at its bootstrap configuration. A voter that
// does not answer might hold the group's writes: false. One that holds
// entries marks the group written: it is not asked about again (a node
// wiped in a cluster that is down a while asked every tick).
func (n *Node) peersHoldNothing(ctx context.Context, rg *raftGroup) bool {
	ctx, cancel := context.WithTimeout(ctx, groupLogAsk)
	defer cancel()
	ch := rg.channel
	var wg sync.WaitGroup
	var mu sync.Mutex
	empty, written := true, false
	for _, v := range rg.voters {
		if v.ID == n.self.ID {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := n.call(ctx, v.RaftAddr, controlRequest{GroupLog: &ch})
			ok := err == nil && rep.GroupLastIndex != nil && *rep.GroupLastIndex <= bootstrapIndex
			mu.Lock()
			empty = empty && ok
			written = written || err == nil && rep.GroupLastIndex != nil && !ok
			mu.Unlock()
		}()
	}
	wg.Wait()
	if written {
		if n.probe.written == nil {
			n.probe.written = map[uint32]bool{}
		}
		n.probe.written[ch] = true
	}
	return empty
}

// anyVoteHeld reports whether some local group still holds its vote.
func (n *Node) anyVoteHeld() bool {
	if n.meta.raft.VoteHeld() {
		return true
	}
	for _, grp := range n.groups {
		if grp.rg.raft.VoteHeld() {
			return true
		}
	}
	return false
}

// MetaVoteHeld reports whether this node holds its vote in the metadata
// group (it started without data and has not caught up there yet).
func (n *Node) MetaVoteHeld() bool { return n.meta.raft.VoteHeld() }

// logf writes one line to the node's log output, if any.
func (n *Node) logf(format string, args ...any) {
	if n.cfg.LogOutput == nil {
		return
	}
	fmt.Fprintf(n.cfg.LogOutput, time.Now().UTC().Format(time.RFC3339)+" "+format+"\n", args...)
}
