package headless

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

func statusCommand() command {
	return command{
		name: "status", summary: "cluster health: nodes, epoch, leaders, groups (exit 7 if degraded)",
		usage: help("status",
			"Show the cluster: epoch, every node's health, shards and groups it leads, uptime\n"+
				"and version, and each replication group's leader. Exits 0 when healthy: every\n"+
				"node alive and answering, every shard with a leader. Exits 7 when degraded\n"+
				"(the problems are listed, and repeated on stderr), 5 when no node answers.\n"+
				"Use it as a health check: norikv-console status --profile prod -o json"),
		run: runStatus,
	}
}

// statusResult is the cluster's health.
type statusResult struct {
	Healthy     bool          `json:"healthy" yaml:"healthy"`
	Epoch       uint64        `json:"epoch" yaml:"epoch"`
	TotalShards int           `json:"total_shards" yaml:"total_shards"`
	TotalGroups int           `json:"total_groups" yaml:"total_groups"`
	Nodes       []nodeHealth  `json:"nodes" yaml:"nodes"`
	Groups      []groupHealth `json:"groups" yaml:"groups"`
	Problems    []string      `json:"problems" yaml:"problems"`
	// ViewNotCurrent: why the view shown is not the cluster's current one
	// (the node that gave it ended the watch saying so, and no node sent a
	// live one), "" when it is.
	ViewNotCurrent string `json:"view_not_current,omitempty" yaml:"view_not_current,omitempty"`
	// NodesUp is the count of nodes up the header gives (out of the
	// nodes listed), and NodesUpFrom where it comes from: "view", the
	// nodes the view says alive that did not fail to answer status
	// (nodes_alive_in_view); "answers", the
	// nodes that answered status's own requests, when the view is not
	// current (a node's last known: restarted alone, it says epoch 0 and
	// every node suspect, and "0/3 nodes up" was printed though it had
	// just answered).
	NodesUp     int    `json:"nodes_up" yaml:"nodes_up"`
	NodesUpFrom string `json:"nodes_up_from" yaml:"nodes_up_from"`
	// NodesAliveInView: nodes the view says alive that did not fail to
	// answer status (the header's count until 2026-12-03, whatever the
	// view).
	NodesAliveInView int `json:"nodes_alive_in_view" yaml:"nodes_alive_in_view"`
	// NodesAnswered: nodes that answered status's own requests.
	NodesAnswered int `json:"nodes_answered" yaml:"nodes_answered"`
	// viewOf names the node whose not-current view is shown ("" when
	// current or not known), for the header.
	viewOf string
}

// Where statusResult.NodesUp comes from.
const (
	upFromView    = "view"
	upFromAnswers = "answers"
)

type nodeHealth struct {
	ID        string `json:"id" yaml:"id"`
	Addr      string `json:"addr" yaml:"addr"`
	Health    string `json:"health" yaml:"health"`
	Reachable bool   `json:"reachable" yaml:"reachable"`
	ShardsLed int    `json:"shards_led" yaml:"shards_led"`
	GroupsLed int    `json:"groups_led" yaml:"groups_led"`
	UptimeS   int64  `json:"uptime_s" yaml:"uptime_s"`
	Version   string `json:"version,omitempty" yaml:"version,omitempty"`
	Error     string `json:"error,omitempty" yaml:"error,omitempty"`
	// StorageError: the node cannot write its Raft log (a full disk).
	StorageError string `json:"storage_error,omitempty" yaml:"storage_error,omitempty"`
	// MetaCutOff: the node has not heard from the metadata group's leader
	// for a while (cut off from the cluster), saying since when.
	MetaCutOff string `json:"meta_cut_off,omitempty" yaml:"meta_cut_off,omitempty"`
	// VoteHeldGroups: groups (the metadata group counted) in which the node
	// neither votes nor campaigns, restarted without its data and catching up.
	VoteHeldGroups int `json:"vote_held_groups,omitempty" yaml:"vote_held_groups,omitempty"`
	// Answered: the node answered status's own request (with its status,
	// or without the console extension). Reachable is also true for a
	// node not asked.
	Answered bool `json:"answered" yaml:"answered"`
	// Up: the node is counted in nodes_up: alive in the view and not
	// failing to answer (nodes_up_from "view"), or, the view not being
	// current, it answered status (nodes_up_from "answers"). Health stays
	// the view's word either way.
	Up bool `json:"up" yaml:"up"`
}

type groupHealth struct {
	ID     int    `json:"id" yaml:"id"`
	Leader string `json:"leader" yaml:"leader"`
	Term   uint64 `json:"term" yaml:"term"`
	Shards string `json:"shards" yaml:"shards"`
	Keys   uint64 `json:"keys" yaml:"keys"`
}

func (r *statusResult) table(w io.Writer) error {
	state := "healthy"
	if !r.Healthy {
		state = "DEGRADED"
	}
	up := fmt.Sprintf("%d/%d nodes up", r.NodesUp, len(r.Nodes))
	if r.NodesUpFrom == upFromAnswers {
		of := "the view"
		if r.viewOf != "" {
			of = r.viewOf + "'s view"
		}
		up += fmt.Sprintf(" (answered this status; %d alive in %s, which is not current)", r.NodesAliveInView, of)
	}
	fmt.Fprintf(w, "cluster %s · epoch %d · %s · %d shards · %d groups\n",
		state, r.Epoch, up, r.TotalShards, r.TotalGroups)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tADDRESS\tHEALTH\tSHARDS LED\tGROUPS LED\tUPTIME\tVERSION")
	for _, n := range r.Nodes {
		health := n.Health
		if r.NodesUpFrom == upFromAnswers && n.Answered {
			// The view's word is a node's last known, and the node
			// itself has just answered.
			health = "answered (view: " + n.Health + ")"
		}
		if !n.Reachable {
			health += ", unreachable"
		}
		if n.StorageError != "" {
			health += ", disk full"
		}
		if n.MetaCutOff != "" {
			health += ", cut off"
		}
		if n.VoteHeldGroups > 0 {
			health += ", catching up"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", n.ID, n.Addr, health, n.ShardsLed, n.GroupsLed,
			time.Duration(n.UptimeS)*time.Second, orDash(n.Version))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Groups) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "GROUP\tLEADER\tTERM\tSHARDS\tKEYS")
		for _, g := range r.Groups {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\n", g.ID, orDash(g.Leader), g.Term, g.Shards, g.Keys)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
	return nil
}

func runStatus(x *exec, a *args) error {
	if len(a.pos) > 0 {
		return usagef("status takes no arguments (got %q)", a.pos[0])
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	view := c.ClusterView()
	ctx, cancel := context.WithTimeout(x.ctx, max(x.settings.Timeout, 2*time.Second))
	defer cancel()
	statuses, err := c.NodeStatuses(ctx)
	if err != nil && !errors.Is(err, client.ErrUnsupported) && view == nil {
		return err
	}
	caughtUp := false
	if newest, _ := newestEpoch(statuses); view != nil && newest > view.Epoch {
		// Nodes report a newer epoch than the view the client read: the
		// node it read it from is behind (cut off from its peers, or
		// alone). The client moves on to a node that streams the current
		// view within a moment; wait for it rather than print the old
		// one: seeded with a partitioned node only, `status` said
		// "cluster healthy, 3/3 nodes up" at the epoch before the cut.
		view = awaitEpoch(ctx, c, newest)
		caughtUp = view.Epoch >= newest
	}
	res := buildStatus(view, statuses, c.Config().TotalShards)
	// Every node alive and answering and every shard led: the view is
	// current enough, and a health check should not wait for the watch.
	// A view caught up with the newest epoch any node reports is current
	// by the nodes' own word, whatever the node watched first said.
	if !res.Healthy && !caughtUp {
		if nc := watchVerdict(ctx, c); nc != "" {
			// The view is a node's that cannot follow the cluster: a
			// node restarted alone gives its view from before it
			// replayed its metadata (epoch 0, every node suspect), and
			// it was printed as the cluster's without a word.
			res.ViewNotCurrent = common.NotCurrentText(nc)
			res.Problems = append([]string{"the cluster view is not current: " + res.ViewNotCurrent +
				": the epoch, node health and leaders below are that node's last known"}, res.Problems...)
			res.countAnswers(nc)
		}
	}
	if err := x.emit(res); err != nil {
		return err
	}
	if !res.Healthy {
		return &degradedError{problems: res.Problems}
	}
	return nil
}

// countAnswers makes the nodes that answered status the count of nodes
// up, the view being not current (nc is the client's ViewNotCurrent,
// "ADDR: why"): that node's view judges health as it last knew it, while
// the answers are this status's own. Nodes not asked (no statuses) leave
// the view's count.
func (r *statusResult) countAnswers(nc string) {
	asked := false
	for _, n := range r.Nodes {
		asked = asked || n.Answered || n.Error != ""
	}
	if !asked {
		return
	}
	r.NodesUp, r.NodesUpFrom = r.NodesAnswered, upFromAnswers
	addr, _, _ := strings.Cut(nc, ": ")
	for i, n := range r.Nodes {
		if n.Addr == addr {
			r.viewOf = n.ID
		}
		r.Nodes[i].Up = n.Answered
		if n.Answered && n.Health != "alive" {
			// "n1 (...) is suspect" was the old view's word on a node
			// that answered this status: not a problem of the cluster
			// now (its health reads "answered (view: suspect)").
			r.Problems = slices.DeleteFunc(r.Problems, func(p string) bool { return p == healthProblem(n) })
		}
	}
}

// healthProblem is the problem of a node the view does not call alive.
func healthProblem(n nodeHealth) string {
	return fmt.Sprintf("%s (%s) is %s", n.ID, n.Addr, n.Health)
}

// watchVerdict waits, up to watchVerdictWait or ctx's end, until the
// client's topology watch has either streamed a view or been told by its
// node that its view is not current, and returns what the node said ("" for
// a live stream). Connect returns on the first view read, before the
// stream that follows it says anything; the node statuses may come back
// sooner than that when the other nodes refuse connections.
func watchVerdict(ctx context.Context, c *client.Client) string {
	start := c.Stats().Topology.ViewsReceived
	deadline := time.Now().Add(watchVerdictWait)
	for {
		t := c.Stats().Topology
		if t.ViewNotCurrent != "" || t.ViewsReceived > start || time.Now().After(deadline) {
			return t.ViewNotCurrent
		}
		select {
		case <-ctx.Done():
			return t.ViewNotCurrent
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// awaitEpoch waits, up to viewCatchUpWait or ctx's end, until the client's
// view reaches epoch, and returns the newest view it has then.
func awaitEpoch(ctx context.Context, c *client.Client, epoch uint64) *client.ClusterView {
	deadline := time.Now().Add(viewCatchUpWait)
	for {
		v := c.ClusterView()
		if v.Epoch >= epoch || time.Now().After(deadline) {
			return v
		}
		select {
		case <-ctx.Done():
			return v
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// viewCatchUpWait bounds awaitEpoch: a client told by its node that its
// view is not current watches another node at once (half a second with a
// partitioned seed), or after its retry backoff.
const viewCatchUpWait = 3 * time.Second

// newestEpoch returns the newest epoch the answering nodes report and the
// nodes reporting it.
func newestEpoch(statuses []client.NodeStatusResult) (uint64, []string) {
	var newest uint64
	var by []string
	for _, st := range statuses {
		if st.Status == nil {
			continue
		}
		switch e := st.Status.Epoch; {
		case e > newest:
			newest, by = e, []string{st.NodeID}
		case e == newest && e > 0:
			by = append(by, st.NodeID)
		}
	}
	return newest, by
}

// watchVerdictWait bounds watchVerdict: a live stream sends its first view
// at once and repeats it every second.
const watchVerdictWait = 1500 * time.Millisecond

// buildStatus judges the cluster from its view and the nodes' own reports.
func buildStatus(view *client.ClusterView, statuses []client.NodeStatusResult, totalShards int) *statusResult {
	res := &statusResult{TotalShards: totalShards, Nodes: []nodeHealth{}, Groups: []groupHealth{}, Problems: []string{}, NodesUpFrom: upFromView}
	if view == nil {
		res.Problems = append(res.Problems, "no cluster view received")
		return res
	}
	res.Epoch = view.Epoch
	if newest, by := newestEpoch(statuses); newest > view.Epoch {
		verb := "report"
		if len(by) == 1 {
			verb = "reports"
		}
		res.Problems = append(res.Problems, fmt.Sprintf("the cluster view (epoch %d) is behind: %s %s epoch %d; the health and leaders below are from the older view",
			view.Epoch, strings.Join(by, ", "), verb, newest))
	}
	led := map[string]int{}
	leaderless := 0
	for _, s := range view.Shards {
		if l := s.Leader(); l != "" {
			led[l]++
		} else {
			leaderless++
		}
	}
	byID := map[string]client.NodeStatusResult{}
	for _, st := range statuses {
		byID[st.NodeID] = st
	}
	groups := map[int]groupHealth{}
	for _, n := range view.Nodes {
		h := nodeHealth{ID: n.ID, Addr: n.Addr, Health: n.Role, ShardsLed: led[n.ID]}
		if h.Health == "" {
			h.Health = "alive"
		}
		st, ok := byID[n.ID]
		switch {
		case ok && st.Status != nil:
			h.Reachable, h.Answered = true, true
			h.UptimeS = int64(st.Status.Uptime / time.Second)
			h.Version = st.Status.Version
			res.TotalGroups = max(res.TotalGroups, st.Status.TotalGroups)
			res.Problems = append(res.Problems, nodeProblems(&h, st.Status)...)
			for _, g := range st.Status.Groups {
				if g.State == "leader" {
					h.GroupsLed++
					groups[g.GroupID] = groupHealth{ID: g.GroupID, Leader: n.ID, Term: g.Term, Shards: shardRange(g.Shards), Keys: g.Keys}
				} else if _, seen := groups[g.GroupID]; !seen {
					groups[g.GroupID] = groupHealth{ID: g.GroupID, Shards: shardRange(g.Shards)}
				}
			}
		case ok && errors.Is(st.Err, client.ErrUnsupported):
			h.Reachable, h.Answered = true, true // answered, without the console extension
		case ok:
			h.Error = st.Err.Error()
			res.Problems = append(res.Problems, fmt.Sprintf("%s (%s) does not answer: %v", n.ID, n.Addr, st.Err))
		default:
			h.Reachable = true // not asked: statuses unavailable
		}
		if h.Health != "alive" {
			res.Problems = append(res.Problems, healthProblem(h))
		}
		h.Up = h.Health == "alive" && h.Reachable
		res.Nodes = append(res.Nodes, h)
		if h.Up {
			res.NodesAliveInView++
		}
		if h.Answered {
			res.NodesAnswered++
		}
	}
	res.NodesUp, res.NodesUpFrom = res.NodesAliveInView, upFromView
	for _, g := range groups {
		res.Groups = append(res.Groups, g)
	}
	sort.Slice(res.Groups, func(i, j int) bool { return res.Groups[i].ID < res.Groups[j].ID })
	if leaderless > 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("%d of %d shards have no leader", leaderless, len(view.Shards)))
	}
	res.Problems = append(res.Problems, leaderlessGroups(statuses)...)
	res.Healthy = len(res.Problems) == 0
	return res
}

// leaderlessGroups names the groups that no answering node leads or knows
// a leader of. The view can still name their old leaders: with two of
// three nodes down, the one left keeps the view it had (it cannot hear the
// metadata group's leader to learn a newer one), so judged by the view
// alone `status` counted every shard led while no write could succeed.
func leaderlessGroups(statuses []client.NodeStatusResult) []string {
	type seen struct {
		shards    []int
		reporters []string
		leader    bool
	}
	groups := map[int]*seen{}
	for _, st := range statuses {
		if st.Status == nil {
			continue
		}
		for _, g := range st.Status.Groups {
			s := groups[g.GroupID]
			if s == nil {
				s = &seen{}
				groups[g.GroupID] = s
			}
			if len(s.shards) == 0 {
				s.shards = g.Shards
			}
			s.reporters = append(s.reporters, st.NodeID)
			if g.State == "leader" || g.LeaderID != "" {
				s.leader = true
			}
		}
	}
	ids := make([]int, 0, len(groups))
	for id, s := range groups {
		if !s.leader {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		s := groups[id]
		out = append(out, fmt.Sprintf("group %d (shards %s) has no leader: %s know%s none; writes to its shards fail until most of its replicas are up and elect one",
			id, shardRange(s.shards), strings.Join(s.reporters, ", "), plural1(len(s.reporters))))
	}
	return out
}

// plural1 is the verb ending for one reporter ("n1 knows") or more
// ("n1, n2 know").
func plural1(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// nodeProblems reads what a node says about itself that puts the cluster
// one failure closer to losing a majority: a disk too full for its log, or
// a vote held while it catches up after a restart without its data.
func nodeProblems(h *nodeHealth, st *client.NodeStatus) []string {
	var out []string
	if st.StorageError != "" {
		h.StorageError = st.StorageError
		out = append(out, fmt.Sprintf("%s (%s) cannot write its Raft log (%s): it leads no group and does not vote; free space on its disk",
			h.ID, h.Addr, st.StorageError))
	}
	if st.MetaCutOff != "" {
		h.MetaCutOff = st.MetaCutOff
		out = append(out, fmt.Sprintf("%s (%s) is cut off from the cluster: %s, so its view is not kept current; check its network links to the other nodes",
			h.ID, h.Addr, st.MetaCutOff))
	}
	for _, g := range st.Groups {
		if g.VoteHeld {
			h.VoteHeldGroups++
		}
	}
	if st.MetaVoteHeld {
		h.VoteHeldGroups++
	}
	switch {
	case h.VoteHeldGroups > 0 && common.VoteHoldOf(st).Starting:
		// Every member of a new cluster holds its vote while it asks its
		// peers whether they hold a cluster: not yet known to be lost data.
		out = append(out, fmt.Sprintf("%s (%s) just started: not voting in %d groups until its peers say whether the cluster is new (a few seconds)",
			h.ID, h.Addr, h.VoteHeldGroups))
	case h.VoteHeldGroups > 0:
		out = append(out, fmt.Sprintf("%s (%s) restarted without its data: not voting in %d groups until it has caught up",
			h.ID, h.Addr, h.VoteHeldGroups))
	}
	return out
}

// shardRange writes a group's shards compactly: "0-63" or "1 5 9".
func shardRange(shards []int) string {
	if len(shards) == 0 {
		return "-"
	}
	s := append([]int(nil), shards...)
	sort.Ints(s)
	if s[len(s)-1]-s[0] == len(s)-1 {
		return fmt.Sprintf("%d-%d", s[0], s[len(s)-1])
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}
