package node

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// A node cut off from the metadata group's leader.
//
// The cluster view a node serves on WatchCluster is its own replica of the
// metadata group. A follower that cannot hear that group's leader (a
// network partition, its peers' links down) applies nothing new, so its
// view stays as it was while the others move on; it kept repeating it
// every second and a client watching it took the stream for live (found
// with serve processes whose replication links were cut: proccluster
// Options.Links). Once it has not heard from a leader for metaCutOffAfter
// (two heartbeat timeouts: an election after a leader's death ends well
// within it, so a normal failover ends no watch), MetaCutOff says so:
// WatchCluster sends such a node's view once, then ends the stream with
// UNAVAILABLE and the trailer x-norikv-view-not-current saying why
// (service/meta.go), and clients keep the newest view they have and watch
// a node that hears the leader; it serves watches as before as soon as it
// hears one. The node says so once per episode.
//
// A node that cannot tell whether it is cut off or the others are down
// (no meta leader anywhere: most of the metadata group's voters down)
// does the same: its view then is as current as anyone's, but no node can
// say so, and a client that has a view keeps it (client/watch.go retries).

// metaCutOffAfter is how long a node may go without hearing from the
// metadata group's leader before its view is not served as current.
func (t Timing) metaCutOffAfter() time.Duration { return 2 * t.HeartbeatTimeout }

// metaContact is the episode state of checkMetaContact.
type metaContact struct {
	mu   sync.Mutex
	said string // the episode's reason while cut off
}

// MetaCutOff says why this node's view of the cluster is not kept current
// (it has not heard from the metadata group's leader for a while), "" while
// it is: it leads that group or heard its leader lately.
func (n *Node) MetaCutOff() string { return n.metaCutOffAt(time.Now()) }

func (n *Node) metaCutOffAt(now time.Time) string {
	if n.meta == nil || n.meta.raft == nil {
		return ""
	}
	r := n.meta.raft
	if r.State() == raft.Leader {
		return ""
	}
	after := n.cfg.Timing.metaCutOffAfter()
	last := r.LastContact()
	if last.IsZero() {
		// Never heard one since the start: a node starting with its
		// peers waits for the first election.
		if since := now.Sub(n.started); since >= after {
			return fmt.Sprintf("it has not heard from the metadata group's leader since it started %s ago", fmtSyncTime(since.Round(100*time.Millisecond)))
		}
		return ""
	}
	if since := now.Sub(last); since >= after {
		return fmt.Sprintf("it has not heard from the metadata group's leader for %s", fmtSyncTime(since.Round(100*time.Millisecond)))
	}
	return ""
}

// checkMetaContact is a loops.go job: it says once per episode that the
// node is cut off from the metadata leader, and when it hears one again.
func (n *Node) checkMetaContact(context.Context) {
	why := n.MetaCutOff()
	n.metaContact.mu.Lock()
	defer n.metaContact.mu.Unlock()
	switch {
	case why != "" && n.metaContact.said == "":
		n.metaContact.said = why
		n.logf("%s: cut off from the cluster: %s, so its cluster view is not kept current: watch streams get that view, then end saying so (clients keep the newest view they have and watch another node), until it hears one", n.self.ID, why)
	case why == "" && n.metaContact.said != "":
		n.metaContact.said = ""
		n.logf("%s: hears the metadata group's leader again: watch streams kept open again", n.self.ID)
	}
}
