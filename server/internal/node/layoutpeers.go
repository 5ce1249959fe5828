package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A node started with other --shards or --groups than its peers.
//
// Shards map to groups by range, and groups are joined by number: a node
// with other counts than its peers joins their groups 0..G-1 but puts
// other shards in them, so writes through it land in groups where the
// others do not look for them (acknowledged, then not found). The data
// dir's marker (layoutmark.go) catches a node restarted on its own data;
// a node started on a new data dir (a replaced disk, a new machine) has
// nothing to compare with but its peers.
//
// So a node whose data dir has no marker yet asks its peers for their
// counts, over the replication port, before it opens a group. It exits
// (Start fails) when a peer that already held data answers with other
// counts, or when a majority of the cluster answers with the same other
// counts; it goes on once a peer holding data, or a majority of the
// cluster counting itself, answers with its own. Peers that do not
// answer within peerProbeTimeout do not hold the start: the questions go
// on in the background and a refusal then reaches the node through
// LayoutRefused (serve exits); its groups hold their votes meanwhile. A
// majority made only of new data dirs (a new cluster, or two wiped nodes
// while the one holding the data is down) lets it vote, but it asks the
// rest until they answer and stops if one holds data with other counts.
// A peer of an older version answers without counts: it is logged once
// and not asked again. A node that kept its data does not ask: its
// marker already matched its flags. Every node answers from its config
// and logs once per peer and counts that it refused a peer whose counts
// differ from its own.

// layoutFirstTry bounds the first question to each peer, which the start
// waits for: a running peer answers in a round trip, and one not up yet
// (a new cluster's members started one after another) must not delay the
// start much, or the members started first form the cluster before the
// next one asks whether one exists (votehold.go) and it holds its vote.
const layoutFirstTry = 50 * time.Millisecond

// layoutInfo is a node's shard and group counts, asked and answered.
type layoutInfo struct {
	Node   string `json:"node"`
	Shards int    `json:"shards"`
	Groups int    `json:"groups"`
	// Fresh: the node's counts are only its flags: its data dir had no
	// layout marker when it started (new or wiped) and its peers have not
	// confirmed them yet.
	Fresh bool `json:"fresh,omitempty"`
	// Old: the peer answered without counts (a version before the check).
	Old bool `json:"-"`
}

func (l layoutInfo) counts() string {
	return fmt.Sprintf("--shards %d --groups %d", l.Shards, l.Groups)
}

func (l layoutInfo) sameCounts(o layoutInfo) bool {
	return l.Shards == o.Shards && l.Groups == o.Groups
}

// layoutPeers is the peer check's state.
type layoutPeers struct {
	fresh   bool        // this node's data dir had no marker at start
	settled atomic.Bool // its counts are the cluster's: it had a marker, or its peers confirmed them
	// checked: the node may vote with these counts: settled, or every
	// peer answered and none could refuse them (older versions).
	checked atomic.Bool
	cancel  context.CancelFunc

	mu      sync.Mutex
	refused map[layoutInfo]bool // peers (and their counts) already logged
	// refusedCh carries a refusal found after Start returned.
	refusedCh chan error
}

// layoutMarkerRecorded reports whether dir holds a layout marker (before
// checkDataDirLayout writes one into a new dir).
func layoutMarkerRecorded(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, layoutMarker))
	return !errors.Is(err, fs.ErrNotExist)
}

func (n *Node) ownLayout() layoutInfo {
	return layoutInfo{Node: n.self.ID, Shards: n.cfg.Layout.TotalShards, Groups: n.cfg.Layout.Groups, Fresh: !n.layoutPeers.settled.Load()}
}

// LayoutRefused delivers the reason this node must stop when its peers'
// counts turned out to differ from its own after Start returned (peers
// that did not answer at start answered later). Nothing is sent when the
// check ended at start.
func (n *Node) LayoutRefused() <-chan error { return n.layoutPeers.refusedCh }

// answerLayout answers a peer's question with this node's counts, and
// logs once when the peer's differ.
func (n *Node) answerLayout(asked layoutInfo) *layoutInfo {
	own := n.ownLayout()
	if !asked.sameCounts(own) {
		p := &n.layoutPeers
		p.mu.Lock()
		first := !p.refused[asked]
		if p.refused == nil {
			p.refused = map[layoutInfo]bool{}
		}
		p.refused[asked] = true
		p.mu.Unlock()
		if first {
			what := "its data dir is new"
			if !asked.Fresh {
				what = "it holds data"
			}
			n.logf("%s refused %s: it was started with %s (%s) but this node runs with %s; it must be started with %s as the others were",
				n.self.ID, asked.Node, asked.counts(), what, own.counts(), own.counts())
		}
	}
	return &own
}

// layoutVerdict is what the peers' answers so far say of this node's counts.
type layoutVerdict int

const (
	layoutUndecided layoutVerdict = iota
	// layoutConfirmedByNew: a majority of the cluster, counting this node,
	// runs its counts, but every one of them is on a new data dir too (a
	// new cluster, or a cluster whose data-holding nodes are down). The
	// node goes on, and the peers that did not answer are asked until they
	// do: one of them holding data with other counts still stops it.
	layoutConfirmedByNew
	// layoutConfirmed: a peer holding data runs these counts, or every
	// peer answered and nothing refused them. The check is over.
	layoutConfirmed
	// layoutRefused: the peers run other counts. The node must stop.
	layoutRefused
	// layoutUnchecked: every peer answered, some without counts (older
	// versions) and none with others. The node goes on unconfirmed.
	layoutUnchecked
)

// checkPeerLayouts runs at start, before any group is open, on a node
// whose data dir is new: it returns an error naming the counts to use
// when the peers hold other ones, and nil once they agree, or without a
// decision once every peer was asked once (peers not up yet or hung do
// not hold the start; at most peerProbeTimeout): the check then goes on
// in the background until it decides. Groups opened meanwhile hold their
// votes (votehold.go): a node whose counts no peer confirmed does not
// help elect anyone.
func (n *Node) checkPeerLayouts() error {
	p := &n.layoutPeers
	p.refusedCh = make(chan error, 1)
	if !p.fresh || len(n.cfg.Layout.Nodes) < 2 {
		p.settled.Store(true)
		p.checked.Store(true)
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	answers := make(chan layoutInfo)
	missed := make(chan struct{}, len(n.cfg.Layout.Nodes)) // a peer's first question went unanswered
	var asks sync.WaitGroup
	peers := 0
	for _, nd := range n.cfg.Layout.Nodes {
		if nd.ID == n.self.ID {
			continue
		}
		peers++
		asks.Add(1)
		go func() {
			defer asks.Done()
			a, ok := n.askPeerLayout(ctx, nd.ID, nd.RaftAddr, missed)
			if !ok {
				return
			}
			select {
			case answers <- a:
			case <-ctx.Done():
			}
		}()
	}
	got := map[string]layoutInfo{}
	// take records an answer and judges them all: true when the check is
	// over (err: the refusal). A majority of new nodes lets the node go
	// on (checked) but not end the check.
	take := func(a layoutInfo) (bool, error) {
		got[a.Node] = a
		if a.Old {
			n.logf("%s cannot check its --shards %d --groups %d against %s: %s answers without its counts (an older version); make sure every node runs with the same --shards and --groups",
				n.self.ID, n.cfg.Layout.TotalShards, n.cfg.Layout.Groups, a.Node, a.Node)
		}
		v, err := decideLayout(n.ownLayout(), got, len(n.cfg.Layout.Nodes))
		switch v {
		case layoutRefused:
			return true, err
		case layoutConfirmed:
			n.layoutChecked(true)
			return true, nil
		case layoutUnchecked:
			n.layoutChecked(false)
			return true, nil
		case layoutConfirmedByNew:
			if !p.checked.Load() {
				var missing []string
				for _, nd := range n.cfg.Layout.Nodes {
					if _, ok := got[nd.ID]; !ok && nd.ID != n.self.ID {
						missing = append(missing, nd.ID)
					}
				}
				n.logf("%s started on a new data dir and its peers on new data dirs too confirmed its --shards %d --groups %d; asking %s until they answer, and stopping if one holds data with other counts",
					n.self.ID, n.cfg.Layout.TotalShards, n.cfg.Layout.Groups, strings.Join(missing, ", "))
			}
			// It votes, but answers as new until a peer holding data or
			// every peer confirmed it: a peer it confirmed must not take
			// it for one holding the cluster's data and stop asking.
			n.layoutChecked(false)
		}
		return false, nil
	}
	timeout := time.NewTimer(peerProbeTimeout)
	defer timeout.Stop()
	misses := 0
	for {
		timedOut := false
		select {
		case a := <-answers:
			if done, err := take(a); done {
				cancel()
				asks.Wait()
				return err
			}
		case <-missed:
			misses++
		case <-timeout.C:
			timedOut = true
		}
		// Every peer asked once (each answered or not) without a
		// decision: the ones missing are not up yet (a new cluster whose
		// members start one after another) or hung; the start does not
		// wait for them.
		if !timedOut && len(got)+misses < peers {
			continue
		}
		if !p.checked.Load() {
			n.logf("%s started on a new data dir and its peers have not confirmed its --shards %d --groups %d yet (not every one answered): starting without voting, and asking again until they do", n.self.ID, n.cfg.Layout.TotalShards, n.cfg.Layout.Groups)
		}
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			defer asks.Wait()
			defer cancel()
			for {
				select {
				case a := <-answers:
					done, err := take(a)
					if !done {
						continue
					}
					if err != nil && !n.closing.Load() {
						n.logf("%s stops: its peers run other --shards/--groups than its own", n.self.ID)
						// It ran with its counts meanwhile: its data dir holds
						// their groups (and, after two new nodes confirmed
						// each other, another cluster's writes).
						p.refusedCh <- fmt.Errorf("%w; %s ran meanwhile, so its data dir %s holds groups of its counts now: empty it first", err, n.self.ID, n.cfg.DataDir)
					}
					return
				case <-ctx.Done():
					return
				}
			}
		}()
		return nil
	}
}

// layoutChecked notes that this node's counts may be used: its groups
// may vote once the cluster-id question allows it too (votehold.go).
// settled: a peer holding data, or every peer, confirmed them, and the
// node answers as holding them from now on.
func (n *Node) layoutChecked(settled bool) {
	p := &n.layoutPeers
	if settled {
		p.settled.Store(true)
	}
	if !p.checked.Swap(true) {
		n.releaseVoteHolds()
	}
}

// stopLayoutCheck ends the peer questions still running (the node is closing).
func (n *Node) stopLayoutCheck() {
	if c := n.layoutPeers.cancel; c != nil {
		c()
	}
}

// askPeerLayout asks one peer for its counts, again while it does not
// answer (at most every second), until ctx ends (false). An older peer
// answers without counts: that answer is marked Old.
func (n *Node) askPeerLayout(ctx context.Context, id, raftAddr string, missed chan<- struct{}) (layoutInfo, bool) {
	own := n.ownLayout()
	req, _ := json.Marshal(controlRequest{Layout: &own})
	pause := peerProbePause
	for try := 0; ; try++ {
		if try == 1 {
			missed <- struct{}{} // buffered for every peer
		}
		wait := peerProbeRetry
		if try == 0 {
			wait = layoutFirstTry
		}
		cctx, cancel := context.WithTimeout(ctx, wait)
		raw, err := n.mux.Call(cctx, raftAddr, req)
		cancel()
		if err == nil {
			var rep controlReply
			if json.Unmarshal(raw, &rep) == nil {
				if rep.Layout == nil {
					return layoutInfo{Node: id, Old: true}, true
				}
				a := *rep.Layout
				a.Node = id
				return a, true
			}
		}
		select {
		case <-ctx.Done():
			return layoutInfo{}, false
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
}

// decideLayout judges the peers' answers (got, by node) against own in a
// cluster of size nodes: confirmed when a peer holding data runs own's
// counts, or a majority of the cluster counting this node does and every
// peer answered; confirmed by new nodes when that majority is all on new
// data dirs and some peer has not answered yet (it may hold data);
// refused, with an error naming the counts to use, when a peer holding
// data or a majority runs others, or every peer answered and no majority
// agrees; unchecked when every peer answered, some without counts (older
// versions), and none ran others; undecided while more answers are
// needed.
func decideLayout(own layoutInfo, got map[string]layoutInfo, nodes int) (layoutVerdict, error) {
	agree := 1 // this node
	byCounts := map[[2]int][]string{}
	var holders []string // peers holding data with other counts
	var holder layoutInfo
	heldHere, old, other := false, 0, 0
	for _, a := range got {
		switch {
		case a.Old:
			old++
		case a.sameCounts(own) && !a.Fresh:
			heldHere = true // a peer holding data runs these counts: they are the cluster's
		case a.sameCounts(own):
			agree++
		case !a.Fresh:
			holders = append(holders, a.Node)
			holder = a
			other++
		default:
			k := [2]int{a.Shards, a.Groups}
			byCounts[k] = append(byCounts[k], a.Node)
			other++
		}
	}
	if heldHere {
		return layoutConfirmed, nil
	}
	if len(holders) > 0 {
		sort.Strings(holders)
		return layoutRefused, layoutMismatch(own, holder, holders, "holding the cluster's data")
	}
	all := len(got) == nodes-1
	if 2*agree > nodes {
		if all {
			return layoutConfirmed, nil
		}
		return layoutConfirmedByNew, nil
	}
	for k, ids := range byCounts {
		if 2*len(ids) > nodes {
			sort.Strings(ids)
			return layoutRefused, layoutMismatch(own, layoutInfo{Shards: k[0], Groups: k[1]}, ids, "a majority of the cluster")
		}
	}
	if !all {
		return layoutUndecided, nil
	}
	if other == 0 && old > 0 {
		return layoutUnchecked, nil
	}
	var answers []string
	for id, a := range got {
		if a.Old {
			answers = append(answers, id+" (an older version, without counts)")
			continue
		}
		answers = append(answers, id+" "+a.counts())
	}
	sort.Strings(answers)
	return layoutRefused, fmt.Errorf("%s was started with %s but its peers run with other counts, and no majority of the cluster agrees on any (%s): "+
		"shards would map to other groups on each node (writes landing where the others do not look for them). Start every node with the same --shards and --groups",
		own.Node, own.counts(), strings.Join(answers, ", "))
}

func layoutMismatch(own, theirs layoutInfo, ids []string, which string) error {
	peers, run := "peers", "run"
	if len(ids) == 1 {
		peers, run = "peer", "runs"
	}
	return fmt.Errorf("%s was started on a new data dir with %s, but its %s %s (%s) %s with %s: "+
		"it would put shards in other groups than they do (writes landing where the others do not look for them); start %s with %s as the others were",
		own.Node, own.counts(), peers, strings.Join(ids, ", "), which, run, theirs.counts(), own.Node, theirs.counts())
}
