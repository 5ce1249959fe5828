package headless

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/views/keys"
)

func traceCommand() command {
	return command{
		name: "trace", summary: "show how a key is routed: hash, shard, group, leader",
		usage: help("trace KEY",
			"Show how the client routes KEY: xxhash64, shard (jump consistent hash), the\n"+
				"replication group and its replicas, the leader and its address. Reads nothing."),
		run: runTrace,
	}
}

// traceResult is the route of one key.
type traceResult struct {
	Key          string   `json:"key" yaml:"key"`
	Bytes        int      `json:"bytes" yaml:"bytes"`
	Hash         string   `json:"hash" yaml:"hash"`
	Shard        int      `json:"shard" yaml:"shard"`
	TotalShards  int      `json:"total_shards" yaml:"total_shards"`
	Group        *int     `json:"group" yaml:"group"`
	Replicas     []string `json:"replicas" yaml:"replicas"`
	Leader       string   `json:"leader" yaml:"leader"`
	Address      string   `json:"address" yaml:"address"`
	LeaderSource string   `json:"leader_source" yaml:"leader_source"`
}

func (r *traceResult) table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	group := "unknown (node status unavailable)"
	if r.Group != nil {
		group = fmt.Sprint(*r.Group)
	}
	fmt.Fprintf(tw, "key\t%s (%d bytes)\n", r.Key, r.Bytes)
	fmt.Fprintf(tw, "hash\t%s (xxhash64, seed 0)\n", r.Hash)
	fmt.Fprintf(tw, "shard\t%d of %d (jump consistent hash)\n", r.Shard, r.TotalShards)
	fmt.Fprintf(tw, "group\t%s\n", group)
	fmt.Fprintf(tw, "replicas\t%s\n", orDash(strings.Join(r.Replicas, " ")))
	fmt.Fprintf(tw, "leader\t%s (from the %s)\n", orDash(r.Leader), r.LeaderSource)
	fmt.Fprintf(tw, "address\t%s\n", orDash(r.Address))
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runTrace(x *exec, a *args) error {
	if err := wantArgs("trace", a, 1, "one KEY"); err != nil {
		return err
	}
	key, err := parseKeyArg(a.pos[0])
	if err != nil {
		return err
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	r := c.Route(key)
	view := c.ClusterView()
	res := &traceResult{Key: keys.DisplayKey(key), Bytes: len(key), Hash: fmt.Sprintf("0x%016x", r.Hash),
		Shard: r.Shard, TotalShards: c.Config().TotalShards, Replicas: r.Replicas,
		Leader: r.LeaderID, Address: r.LeaderAddr, LeaderSource: "cluster view"}
	if res.Replicas == nil {
		res.Replicas = []string{}
	}
	if r.FromCache {
		res.LeaderSource = "NOT_LEADER redirect cache"
	}
	if res.Leader == "" && res.Address == "" {
		res.LeaderSource = "cluster view (no leader cached: an election?)"
		if view != nil && r.Shard < len(view.Shards) {
			res.Leader = view.Shards[r.Shard].Leader()
		}
	}
	if res.Address == "" {
		if n, ok := view.Node(res.Leader); ok {
			res.Address = n.Addr
		}
	}
	res.Group = groupOf(x.ctx, c, r.Shard, x.settings.Timeout)
	return x.emit(res)
}

// groupOf asks the nodes which replication group holds shard; nil when no
// node answered (e.g. a server without the console extension).
func groupOf(ctx context.Context, c *client.Client, shard int, timeout time.Duration) *int {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	statuses, err := c.NodeStatuses(ctx)
	if err != nil {
		return nil
	}
	for _, st := range statuses {
		if st.Status == nil {
			continue
		}
		for _, g := range st.Status.Groups {
			for _, s := range g.Shards {
				if s == shard {
					return ptr(g.GroupID)
				}
			}
		}
	}
	return nil
}
