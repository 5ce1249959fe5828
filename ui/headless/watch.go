package headless

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/norikv/norikv-console/client"
)

func watchCommand() command {
	return command{
		name: "watch", summary: "stream topology events until interrupted",
		usage: help("watch [--count N]",
			"Print the current topology (a \"snapshot\" event), then one event per accepted\n"+
				"cluster view: epoch, nodes added or removed, shard leader changes, a cluster\n"+
				"replaced (restarted without its data: epochs start over). A \"reachability\"\n"+
				"event says when nodes stop or start answering (no node: the cluster is down or\n"+
				"restarting). JSON lines with json (the default when piped), one line per event\n"+
				"on a terminal. Runs until interrupted (Ctrl-C, SIGTERM: exit 0) or, with\n"+
				"--count, after N change events.",
			"--count N   stop after N change events (default 0: run until interrupted)"),
		flags: []flagSpec{{name: "count", value: true}},
		run:   runWatch,
	}
}

// watchEvent is one line of watch.
type watchEvent struct {
	Event         string            `json:"event" yaml:"event"` // snapshot, change or reachability
	Time          string            `json:"time" yaml:"time"`
	Epoch         uint64            `json:"epoch" yaml:"epoch"`
	PreviousEpoch uint64            `json:"previous_epoch,omitempty" yaml:"previous_epoch,omitempty"`
	Nodes         []watchNode       `json:"nodes,omitempty" yaml:"nodes,omitempty"`
	ShardsLed     map[string]int    `json:"shards_led,omitempty" yaml:"shards_led,omitempty"`
	AddedNodes    []string          `json:"added_nodes,omitempty" yaml:"added_nodes,omitempty"`
	RemovedNodes  []string          `json:"removed_nodes,omitempty" yaml:"removed_nodes,omitempty"`
	LeaderChanges map[string]string `json:"leader_changes,omitempty" yaml:"leader_changes,omitempty"`
	// Replaced (change): the view is another cluster's than the one before
	// (restarted without its data), ClusterID the new one's; the epoch
	// may be below the previous one. TotalShards and PreviousTotalShards
	// are set when the shard count changed.
	Replaced            bool   `json:"cluster_replaced,omitempty" yaml:"cluster_replaced,omitempty"`
	ClusterID           string `json:"cluster_id,omitempty" yaml:"cluster_id,omitempty"`
	TotalShards         int    `json:"total_shards,omitempty" yaml:"total_shards,omitempty"`
	PreviousTotalShards int    `json:"previous_total_shards,omitempty" yaml:"previous_total_shards,omitempty"`
	// Unreachable (reachability): the nodes of the view the client cannot
	// reach now; ReachableAgain: those it could not reach before and can now.
	Unreachable    []string `json:"unreachable,omitempty" yaml:"unreachable,omitempty"`
	ReachableAgain []string `json:"reachable_again,omitempty" yaml:"reachable_again,omitempty"`
	NodesInView    int      `json:"nodes_in_view,omitempty" yaml:"nodes_in_view,omitempty"`
	// ViewNotCurrent (snapshot): the view is the last one of a node that
	// cannot vouch for it (cut off from the cluster) and no other node
	// answered; says why. Empty for a current view.
	ViewNotCurrent string `json:"view_not_current,omitempty" yaml:"view_not_current,omitempty"`
}

type watchNode struct {
	ID     string `json:"id" yaml:"id"`
	Addr   string `json:"addr" yaml:"addr"`
	Health string `json:"health" yaml:"health"`
}

func runWatch(x *exec, a *args) error {
	if len(a.pos) > 0 {
		return usagef("watch takes no arguments (got %q)", a.pos[0])
	}
	count, err := intFlag(a, "count", 0, 0, 1_000_000_000)
	if err != nil {
		return err
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	events := make(chan client.TopologyEvent, 64)
	unsubscribe := c.OnTopologyChange(func(ev client.TopologyEvent) {
		select {
		case events <- ev:
		case <-x.ctx.Done():
		}
	})
	defer unsubscribe()
	snap := snapshotEvent(c.ClusterView())
	snap.ViewNotCurrent = c.Stats().Topology.ViewNotCurrent
	if err := x.watchLine(snap); err != nil {
		return err
	}
	// The client's judgement of the nodes, read once a second: without it
	// a whole cluster stopped or restarting printed nothing at all until
	// it came back (found in tmux: 3 serve processes killed under watch).
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	down := map[string]bool{}
	for seen := 0; count == 0 || seen < count; {
		select {
		case <-x.ctx.Done():
			return nil // interrupted: the normal way to stop
		case ev := <-events:
			if err := x.watchLine(changeEvent(ev)); err != nil {
				return err
			}
			seen++
		case <-tick.C:
			st := c.Stats()
			if ev, ok := reachabilityEvent(down, st.Topology.UnreachableNodes, st.Topology.Epoch, st.Router.TotalNodes); ok {
				if err := x.watchLine(ev); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// reachabilityEvent compares the nodes the client cannot reach now (now,
// sorted) with down, the set last printed, updates down and returns the
// event to print when they differ.
func reachabilityEvent(down map[string]bool, now []string, epoch uint64, nodes int) (watchEvent, bool) {
	ev := watchEvent{Event: "reachability", Time: time.Now().UTC().Format(time.RFC3339Nano), Epoch: epoch,
		Unreachable: now, NodesInView: nodes}
	cur := map[string]bool{}
	for _, id := range now {
		cur[id] = true
	}
	changed := len(cur) != len(down)
	for id := range cur {
		changed = changed || !down[id]
	}
	if !changed {
		return ev, false
	}
	for id := range down {
		if !cur[id] {
			ev.ReachableAgain = append(ev.ReachableAgain, id)
		}
	}
	sort.Strings(ev.ReachableAgain)
	clear(down)
	for id := range cur {
		down[id] = true
	}
	return ev, true
}

func snapshotEvent(v *client.ClusterView) watchEvent {
	ev := watchEvent{Event: "snapshot", Time: time.Now().UTC().Format(time.RFC3339Nano), ShardsLed: map[string]int{}}
	if v == nil {
		return ev
	}
	ev.Epoch = v.Epoch
	for _, n := range v.Nodes {
		ev.Nodes = append(ev.Nodes, watchNode{ID: n.ID, Addr: n.Addr, Health: n.Role})
	}
	for _, s := range v.Shards {
		if l := s.Leader(); l != "" {
			ev.ShardsLed[l]++
		}
	}
	return ev
}

func changeEvent(e client.TopologyEvent) watchEvent {
	ev := watchEvent{Event: "change", Time: time.Now().UTC().Format(time.RFC3339Nano), Epoch: e.CurrentEpoch,
		PreviousEpoch: e.PreviousEpoch, AddedNodes: e.AddedNodes, RemovedNodes: e.RemovedNodes}
	if e.Replaced {
		ev.Replaced, ev.ClusterID = true, e.ClusterID
	}
	if e.TotalShards != e.PreviousTotalShards && e.TotalShards > 0 && e.PreviousTotalShards > 0 {
		ev.TotalShards, ev.PreviousTotalShards = e.TotalShards, e.PreviousTotalShards
	}
	if len(e.LeaderChanges) > 0 {
		ev.LeaderChanges = map[string]string{}
		for s, l := range e.LeaderChanges {
			ev.LeaderChanges[strconv.Itoa(int(s))] = l
		}
	}
	return ev
}

// watchLine writes one event and flushes it, so a reader sees it at once.
func (x *exec) watchLine(ev watchEvent) error {
	var err error
	switch x.format {
	case formatJSON:
		err = json.NewEncoder(x.out).Encode(ev)
	case formatYAML:
		var b []byte
		if b, err = yaml.Marshal([]watchEvent{ev}); err == nil {
			_, err = x.out.Write(b)
		}
	default:
		_, err = fmt.Fprintln(x.out, watchText(ev))
	}
	if err != nil {
		return err
	}
	return x.out.Flush()
}

// watchText is one event on one line, for a terminal.
func watchText(ev watchEvent) string {
	at := ev.Time
	if t, err := time.Parse(time.RFC3339Nano, ev.Time); err == nil {
		at = t.Local().Format("15:04:05")
	}
	if ev.Event == "snapshot" {
		var parts []string
		for _, n := range ev.Nodes {
			parts = append(parts, fmt.Sprintf("%s %s %s leads %d", n.ID, n.Addr, n.Health, ev.ShardsLed[n.ID]))
		}
		out := fmt.Sprintf("%s epoch %d: %s", at, ev.Epoch, strings.Join(parts, "; "))
		if ev.ViewNotCurrent != "" {
			out += " (view not current: " + ev.ViewNotCurrent + ")"
		}
		return out
	}
	if ev.Event == "reachability" {
		var parts []string
		switch {
		case len(ev.Unreachable) > 0 && len(ev.Unreachable) == ev.NodesInView:
			parts = append(parts, "no node of the cluster answers ("+strings.Join(ev.Unreachable, ", ")+
				"): the cluster is down or restarting; waiting for it")
		case len(ev.Unreachable) > 0:
			parts = append(parts, "cannot reach "+strings.Join(ev.Unreachable, ", "))
		}
		if len(ev.ReachableAgain) > 0 {
			parts = append(parts, "reachable again: "+strings.Join(ev.ReachableAgain, ", "))
		}
		return at + " " + strings.Join(parts, "; ")
	}
	out := fmt.Sprintf("%s epoch %d (was %d)", at, ev.Epoch, ev.PreviousEpoch)
	if ev.Replaced {
		out += fmt.Sprintf(" the cluster was replaced (restarted without its data; cluster id %s): epochs start over;", orDash(ev.ClusterID))
	}
	if ev.TotalShards > 0 {
		out += fmt.Sprintf(" the cluster now has %d shards (it had %d);", ev.TotalShards, ev.PreviousTotalShards)
	}
	if len(ev.AddedNodes) > 0 {
		out += " added " + strings.Join(ev.AddedNodes, " ")
	}
	if len(ev.RemovedNodes) > 0 {
		out += " removed " + strings.Join(ev.RemovedNodes, " ")
	}
	if len(ev.LeaderChanges) > 0 {
		to := map[string]int{}
		for _, l := range ev.LeaderChanges {
			to[orDash(l)]++
		}
		var parts []string
		for l, n := range to {
			parts = append(parts, fmt.Sprintf("%d -> %s", n, l))
		}
		sort.Strings(parts)
		out += fmt.Sprintf(" %d shard leader(s) moved: %s", len(ev.LeaderChanges), strings.Join(parts, ", "))
	}
	return out
}
