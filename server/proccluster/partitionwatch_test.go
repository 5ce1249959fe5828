//go:build linux

package proccluster

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/service"
)

// A client watching a node that the network cuts off from the others. The
// node hears no metadata leader, so its view stays as it was (itself
// leading the groups the others have since taken) while theirs moves on;
// it repeated that view every second and the client, taking the stream
// for live, never looked elsewhere. Now the cut-off node ends the watch
// with UNAVAILABLE once it has not heard a metadata leader for two
// heartbeat timeouts, the client moves to a node that hears one, and once
// the links heal the node serves watches again.
func TestWatchLeavesANodeCutOffFromTheCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes")
	}
	const cut = "n2"
	c := Start(t, Options{Shards: leakShards, Groups: leakGroups, Links: true, HTTP: true})
	// The node to be cut off is the only seed: the watch starts there.
	cl := soleSeedClient(t, c, cut, leakShards)
	waitFor(t, cut+" leading a group", func() bool { return leads(c.View(t), cut) })
	waitFor(t, "the client's view naming the other nodes", func() bool {
		v := cl.ClusterView()
		return v != nil && len(v.Nodes) == 3
	})

	c.Isolate(t, cut)
	waitFor(t, "the others leading every group", func() bool {
		v, err := fetchView(c.Addr("n1"))
		return err == nil && !leads(v, cut)
	})
	v, err := fetchView(c.Addr("n1"))
	if err != nil {
		t.Fatal(err)
	}
	want := v.Epoch
	waitFor(t, "the client's view reaching the cluster's epoch", func() bool {
		v := cl.ClusterView()
		return v != nil && v.Epoch >= want && !clientViewLeads(v, cut)
	})
	// The cut-off node gives its view and ends the watch, saying why.
	views, why, err := watchToEnd(c.Addr(cut))
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "metadata group's leader") {
		t.Fatalf("a watch on the cut-off node: %v, want UNAVAILABLE naming the metadata leader", err)
	}
	if views != 1 || !strings.Contains(why, "metadata group's leader") {
		t.Fatalf("a watch on the cut-off node: %d views, trailer %q; want its view, then the end with the reason in %s",
			views, why, service.NotCurrentTrailer)
	}
	waitFor(t, cut+" saying it is cut off", func() bool { return strings.Contains(c.Log(t, cut), "cut off from the cluster") })
	// The log line says what the node does with watches (since 61d9a10:
	// its view, then the end), not that it refuses them.
	if line := grepLines(c.Log(t, cut), "cut off from the cluster"); strings.Contains(line, "refuses") ||
		!strings.Contains(line, "watch streams get that view, then end") {
		t.Errorf("%s's log line does not say that watches get its view, then end:\n%s", cut, line)
	}
	if _, m := httpGet(c.HTTPAddr(cut), "/metrics"); !strings.Contains(m, "\nnorikv_meta_cut_off 1\n") {
		t.Errorf("%s's /metrics does not say it is cut off:\n%s", cut, grepLines(m, "cut_off"))
	}

	c.HealAll(t)
	waitFor(t, cut+" serving watches again at the cluster's epoch", func() bool {
		v, err := fetchView(c.Addr(cut))
		return err == nil && v.Epoch >= want
	})
	waitFor(t, cut+" saying it hears the leader again", func() bool {
		return strings.Contains(c.Log(t, cut), "hears the metadata group's leader again")
	})
	if _, m := httpGet(c.HTTPAddr(cut), "/metrics"); !strings.Contains(m, "\nnorikv_meta_cut_off 0\n") {
		t.Errorf("%s's /metrics still says it is cut off:\n%s", cut, grepLines(m, "cut_off"))
	}
	if n := strings.Count(c.Log(t, cut), "cut off from the cluster"); n != 1 {
		t.Errorf("%s said it was cut off %d times, want once for the episode", cut, n)
	}
}

// watchToEnd reads a WatchCluster stream from addr until it ends (or
// viewTimeout passes): the views received, the NotCurrentTrailer's value
// and the error that ended it.
func watchToEnd(addr string) (views int, why string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), viewTimeout)
	defer cancel()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	stream, err := norikvpb.NewMetaClient(conn).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		return 0, "", err
	}
	for {
		if _, err = stream.Recv(); err != nil {
			break
		}
		views++
	}
	if v := stream.Trailer().Get(service.NotCurrentTrailer); len(v) > 0 {
		why = v[0]
	}
	return views, why, err
}
