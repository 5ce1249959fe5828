package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

// clusterIDFile caches the cluster id in the node's data dir, so a node
// restarted with its data names its cluster at once, before the metadata
// group has a leader again and replays its log (the log stays the source
// of truth; the file only answers until then).
const clusterIDFile = "cluster-id"

// clusterIDLoop returns the node's identity tick: the metadata leader of a
// cluster without an id proposes one, and every node caches the id it
// learns in its data dir.
func (n *Node) clusterIDLoop() func(context.Context) {
	saved := false
	return func(ctx context.Context) {
		n.ensureClusterID(ctx)
		if st, _ := n.metaFSM.State(); !saved && st.ClusterID != "" {
			path := filepath.Join(n.cfg.DataDir, clusterIDFile)
			saved = os.WriteFile(path, []byte(st.ClusterID+"\n"), 0o644) == nil
		}
	}
}

// ensureClusterID acts only on the metadata leader of a cluster that has
// no identity yet (a fresh bootstrap): it proposes one. The state machine
// keeps the first id in log order, so a proposal racing a leader change
// cannot replace an id a watcher already saw.
func (n *Node) ensureClusterID(context.Context) {
	if n.meta.raft.State() != raft.Leader {
		return
	}
	if st, _ := n.metaFSM.State(); st.ClusterID != "" {
		return
	}
	// The leader's state may trail its log right after an election; the
	// barrier applies every earlier entry (an id from a previous run
	// included) before we judge that none exists.
	if err := n.meta.raft.Barrier(n.cfg.Timing.ElectionTimeout).Error(); err != nil {
		return
	}
	if st, _ := n.metaFSM.State(); st.ClusterID != "" {
		return
	}
	id, err := newClusterID()
	if err != nil {
		return
	}
	_ = n.applyMeta(meta.Command{ClusterID: id})
}

// ClusterID is the cluster's identity: the metadata group's, or while
// this node has not replayed it yet, the one it cached in its data dir;
// "" on a fresh cluster until its metadata leader has recorded one.
func (n *Node) ClusterID() string {
	if st, _ := n.metaFSM.State(); st.ClusterID != "" {
		return st.ClusterID
	}
	b, err := os.ReadFile(filepath.Join(n.cfg.DataDir, clusterIDFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// WaitClusterID waits until this node knows the cluster's identity or ctx ends.
func (n *Node) WaitClusterID(ctx context.Context) (string, error) {
	for {
		_, changed := n.metaFSM.State()
		if id := n.ClusterID(); id != "" {
			return id, nil
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
