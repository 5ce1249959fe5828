//go:build unix

package proccluster

import (
	"slices"
	"testing"
	"time"
)

// LaunchWith starts a node that is not running with extra `serve` flags
// after the cluster's (a later flag wins: "--groups", "8" replaces the
// cluster's --groups) and returns at once. The flags stay for its later
// launches until LaunchWith is called again; none: the cluster's flags.
func (c *Cluster) LaunchWith(t testing.TB, id string, args ...string) {
	t.Helper()
	c.mu.Lock()
	if c.extra == nil {
		c.extra = map[string][]string{}
	}
	c.extra[id] = slices.Clone(args)
	c.mu.Unlock()
	c.launch(t, id)
}

// Exited waits up to d for a launched node's process to exit by itself
// and reports whether it did (it can then be launched again).
func (c *Cluster) Exited(t testing.TB, id string, d time.Duration) bool {
	t.Helper()
	c.mu.Lock()
	p := c.procs[id]
	c.mu.Unlock()
	if p == nil {
		t.Fatalf("proccluster: wait for %s: not running", id)
	}
	select {
	case <-p.done:
		c.forget(id)
		return true
	case <-time.After(d):
		return false
	}
}

// SetCounts sets the --shards and --groups later launches pass (0: not
// passed, so serve takes what a data dir recorded, else its defaults).
func (c *Cluster) SetCounts(shards, groups int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shards, c.groups = shards, groups
}
