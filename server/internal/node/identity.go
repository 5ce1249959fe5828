package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/meta"
)

// newClusterID returns a random 128-bit id in hex.
func newClusterID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate cluster id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// ensureClusterID runs on every node but acts only on the metadata leader
// of a cluster that has no identity yet (a fresh bootstrap): it proposes
// one. The state machine keeps the first id in log order, so a proposal
// racing a leader change cannot replace an id a watcher already saw.
func (n *Node) ensureClusterID(context.Context) {
	if n.meta.raft.State() != raft.Leader || n.ClusterID() != "" {
		return
	}
	// The leader's state may trail its log right after an election; the
	// barrier applies every earlier entry (an id from a previous run
	// included) before we judge that none exists.
	if err := n.meta.raft.Barrier(n.cfg.Timing.ElectionTimeout).Error(); err != nil || n.ClusterID() != "" {
		return
	}
	id, err := newClusterID()
	if err != nil {
		return
	}
	_ = n.applyMeta(meta.Command{ClusterID: id})
}

// ClusterID is the cluster's identity, "" until the metadata group has
// recorded one (shortly after the first bootstrap) and replicated it here.
func (n *Node) ClusterID() string {
	st, _ := n.metaFSM.State()
	return st.ClusterID
}

// WaitClusterID waits until this node knows the cluster's identity or ctx ends.
func (n *Node) WaitClusterID(ctx context.Context) (string, error) {
	for {
		st, changed := n.metaFSM.State()
		if st.ClusterID != "" {
			return st.ClusterID, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for the cluster id: %w", ctx.Err())
		case <-changed:
		}
	}
}

// Serving reports whether the node is up and not shutting down.
func (n *Node) Serving() bool { return !n.closing.Load() }
