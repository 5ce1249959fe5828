package client

import (
	"sort"
	"sync"
	"sync/atomic"
)

// TopologyEvent describes one accepted cluster view compared with the one
// before it. When a subscriber falls behind, several consecutive events are
// merged into one (PreviousEpoch of the first, CurrentEpoch of the last).
type TopologyEvent struct {
	PreviousEpoch, CurrentEpoch uint64
	AddedNodes, RemovedNodes    []string
	// LeaderChanges maps shard -> new leader node id ("" when the shard has
	// no leader in the new view).
	LeaderChanges map[uint32]string
	// Replaced is true when the view came from a different cluster than the
	// one before (another x-norikv-cluster-id, or, from servers without
	// one, epochs that stayed below the last seen): the client dropped its
	// view and leader cache and started over at the new cluster's epochs,
	// so CurrentEpoch may be lower than PreviousEpoch.
	Replaced bool
	// ClusterID is the cluster's identity after this event ("" when the
	// server does not send one).
	ClusterID string
	// TotalShards is the number of shards the new view lists, and
	// PreviousTotalShards the previous view's (0 before the first view, or
	// for a view without shards). They differ when the cluster came back
	// with another shard count; RoutedShards is the count the client
	// routes by after the event (Config.AdoptShardCount makes it follow
	// the cluster's, else it stays Config.TotalShards and Scan fails with
	// ErrShardCount).
	TotalShards, PreviousTotalShards, RoutedShards int
}

// diffViews builds the event from old (may be nil) to new.
func diffViews(old, cur *topology) TopologyEvent {
	ev := TopologyEvent{CurrentEpoch: cur.view.Epoch, LeaderChanges: map[uint32]string{}, TotalShards: cur.view.TotalShards()}
	var oldNodes map[string]string
	if old != nil {
		ev.PreviousEpoch = old.view.Epoch
		ev.PreviousTotalShards = old.view.TotalShards()
		oldNodes = old.addrByID
	}
	for id := range cur.addrByID {
		if _, ok := oldNodes[id]; !ok {
			ev.AddedNodes = append(ev.AddedNodes, id)
		}
	}
	for id := range oldNodes {
		if _, ok := cur.addrByID[id]; !ok {
			ev.RemovedNodes = append(ev.RemovedNodes, id)
		}
	}
	sort.Strings(ev.AddedNodes)
	sort.Strings(ev.RemovedNodes)
	for shard, leader := range cur.leader {
		prev := ""
		if old != nil && shard < len(old.leader) {
			prev = old.leader[shard]
		}
		if leader != prev {
			ev.LeaderChanges[uint32(shard)] = leader
		}
	}
	return ev
}

// merge folds next (a later event) into e.
func (e *TopologyEvent) merge(next TopologyEvent) {
	e.CurrentEpoch = next.CurrentEpoch
	e.TotalShards, e.RoutedShards = next.TotalShards, next.RoutedShards
	e.Replaced = e.Replaced || next.Replaced
	if next.ClusterID != "" {
		e.ClusterID = next.ClusterID
	}
	added := toSet(e.AddedNodes)
	removed := toSet(e.RemovedNodes)
	for _, id := range next.AddedNodes {
		if removed[id] {
			delete(removed, id) // removed then re-added: net no membership change
		} else {
			added[id] = true
		}
	}
	for _, id := range next.RemovedNodes {
		if added[id] {
			delete(added, id)
		} else {
			removed[id] = true
		}
	}
	e.AddedNodes, e.RemovedNodes = fromSet(added), fromSet(removed)
	for s, l := range next.LeaderChanges {
		e.LeaderChanges[s] = l
	}
}

func toSet(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func fromSet(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// subscriber delivers events to one callback on its own goroutine. Its queue
// is bounded: when full, a new event is merged into the last queued one, so
// a slow callback sees fewer, coarser events but never misses a change and
// never blocks the client.
type subscriber struct {
	fn      func(TopologyEvent)
	limit   int
	mu      sync.Mutex
	queue   []TopologyEvent
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	merged  *atomic.Uint64
	panics  *atomic.Uint64
	stopped sync.Once
}

func (s *subscriber) push(ev TopologyEvent) {
	s.mu.Lock()
	if len(s.queue) >= s.limit && len(s.queue) > 0 {
		s.queue[len(s.queue)-1].merge(ev)
		s.merged.Add(1)
	} else {
		s.queue = append(s.queue, cloneEvent(ev))
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func cloneEvent(ev TopologyEvent) TopologyEvent {
	out := ev
	out.AddedNodes = append([]string(nil), ev.AddedNodes...)
	out.RemovedNodes = append([]string(nil), ev.RemovedNodes...)
	out.LeaderChanges = make(map[uint32]string, len(ev.LeaderChanges))
	for k, v := range ev.LeaderChanges {
		out.LeaderChanges[k] = v
	}
	return out
}

func (s *subscriber) run() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
		}
		for {
			s.mu.Lock()
			if len(s.queue) == 0 {
				s.mu.Unlock()
				break
			}
			ev := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			default:
			}
			s.call(ev)
		}
	}
}

// call runs the callback, recovering a panic so one bad subscriber cannot
// take the client down.
func (s *subscriber) call(ev TopologyEvent) {
	defer func() {
		if r := recover(); r != nil {
			s.panics.Add(1)
		}
	}()
	s.fn(ev)
}

// close stops the subscriber. It does not wait for a running callback, so a
// blocked callback cannot hang Close; its goroutine exits once it returns.
func (s *subscriber) close() {
	s.stopped.Do(func() { close(s.stop) })
}
