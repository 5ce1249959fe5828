package client

import (
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"
)

// scriptCluster makes f's streams send, under cluster id (none when ""),
// views of epoch then repeats every 20ms; with once the stream ends after
// the first view.
func scriptCluster(f *fakeNode, id string, epoch uint64, once bool) {
	nodes := map[string]string{"a": f.addr}
	f.set(func(f *fakeNode) {
		f.onWatch = func(s grpcViewStream) error {
			if id != "" {
				if err := s.SetHeader(metadata.Pairs(clusterIDHeader, id)); err != nil {
					return err
				}
			}
			for {
				if err := s.Send(view(epoch, 16, "a", nodes)); err != nil {
					return err
				}
				if once {
					return nil
				}
				select {
				case <-s.Context().Done():
					return nil
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
	})
}

// replacedEvents subscribes and counts events with Replaced set.
func replacedEvents(c *Client) (*atomic.Int64, *atomic.Pointer[TopologyEvent]) {
	var n atomic.Int64
	var last atomic.Pointer[TopologyEvent]
	c.OnTopologyChange(func(ev TopologyEvent) {
		if ev.Replaced {
			n.Add(1)
			last.Store(&ev)
		}
	})
	return &n, &last
}

// TestReplacedClusterByID: a view under another x-norikv-cluster-id is a
// new cluster even at a lower epoch: view and leader cache start over.
func TestReplacedClusterByID(t *testing.T) {
	checkLeaks(t)
	f := startFake(t, fakeServices{meta: true})
	scriptCluster(f, "cluster-A", 10, false)
	c := newTestClient(t, true, f.addr)
	n, last := replacedEvents(c)
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if id := c.Stats().Topology.ClusterID; id != "cluster-A" {
		t.Fatalf("cluster id %q, want cluster-A", id)
	}
	c.cacheLeader(3, "", "127.0.0.1:1") // a redirect-learned leader of the old cluster
	scriptCluster(f, "cluster-B", 2, false)
	c.kickWatchIfOn(f.addr) // end the current stream
	waitFor(t, "the replaced cluster's view", func() bool {
		v := c.ClusterView()
		return v != nil && v.ClusterID == "cluster-B" && v.Epoch == 2
	})
	waitFor(t, "a Replaced event", func() bool { return n.Load() == 1 })
	ev := last.Load()
	if ev.ClusterID != "cluster-B" || ev.PreviousEpoch != 10 || ev.CurrentEpoch != 2 {
		t.Fatalf("event = %+v", ev)
	}
	if r := c.Route([]byte("x")); r.LeaderAddr != f.addr || r.FromCache {
		t.Fatalf("route after replacement = %+v, want the new view's leader", r)
	}
	if e := c.sh().leaders[3].Load(); e == nil || !e.fromView {
		t.Fatalf("redirect-learned leader of the old cluster survived: %+v", e)
	}
	if st := c.Stats().Topology; st.ClusterReplacements != 1 {
		t.Fatalf("replacements = %d", st.ClusterReplacements)
	}
	// Repeats of the same cluster are not replacements.
	time.Sleep(100 * time.Millisecond)
	if n.Load() != 1 {
		t.Fatalf("%d Replaced events, want 1", n.Load())
	}
}

// TestReplacedClusterByEpochs: without cluster ids, a stream whose epochs
// stay below the client's for longer than the bound is a new cluster; a
// node that is merely behind for less than the bound is not.
func TestReplacedClusterByEpochs(t *testing.T) {
	checkLeaks(t)
	f := startFake(t, fakeServices{meta: true})
	scriptCluster(f, "", 10, false)
	c := newTestClient(t, true, f.addr)
	c.replacedAfter = 400 * time.Millisecond
	n, last := replacedEvents(c)
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	scriptCluster(f, "", 3, false)
	c.kickWatchIfOn(f.addr)
	start := time.Now()
	waitFor(t, "a Replaced event", func() bool { return n.Load() == 1 })
	if took := time.Since(start); took < c.replacedAfter {
		t.Fatalf("replaced after %v, before the %v bound", took, c.replacedAfter)
	}
	if ev := last.Load(); ev.PreviousEpoch != 10 || ev.CurrentEpoch != 3 || ev.ClusterID != "" {
		t.Fatalf("event = %+v", ev)
	}
	if v := c.ClusterView(); v.Epoch != 3 {
		t.Fatalf("epoch %d, want 3", v.Epoch)
	}
	// Higher epochs of the new cluster are followed as usual.
	scriptCluster(f, "", 4, false)
	c.kickWatchIfOn(f.addr)
	waitFor(t, "epoch 4", func() bool { return c.ClusterView().Epoch == 4 })
	if n.Load() != 1 {
		t.Fatalf("%d Replaced events, want 1", n.Load())
	}
}

// TestLaggingNodeIsNotReplaced: a stream behind the client for less than
// the bound is ignored, not taken for a new cluster.
func TestLaggingNodeIsNotReplaced(t *testing.T) {
	checkLeaks(t)
	f := startFake(t, fakeServices{meta: true})
	scriptCluster(f, "", 10, false)
	c := newTestClient(t, true, f.addr)
	c.replacedAfter = time.Hour
	n, _ := replacedEvents(c)
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	scriptCluster(f, "", 9, false)
	c.kickWatchIfOn(f.addr)
	waitFor(t, "ignored older views", func() bool { return c.Stats().Topology.ViewsIgnored >= 5 })
	if n.Load() != 0 || c.ClusterView().Epoch != 10 {
		t.Fatalf("lagging node taken for a new cluster: %d events, epoch %d", n.Load(), c.ClusterView().Epoch)
	}
}
