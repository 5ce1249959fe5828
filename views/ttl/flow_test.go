package ttl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/uitest"
)

// racingClient is the real client, with another writer winning the race
// between the inspector's read and its compare-and-swap.
type racingClient struct{ *client.Client }

func (r racingClient) Get(ctx context.Context, key []byte, opts *client.GetOptions) (*client.GetResult, error) {
	got, err := r.Client.Get(ctx, key, opts)
	if err == nil {
		_, err = r.Client.Put(ctx, key, []byte("theirs"), &client.PutOptions{TTL: time.Hour})
	}
	return got, err
}

// The inspector on a real 3-node cluster: the scan finds the keys with a
// TTL, extend is a CAS rewrite the server applies, and a conflict (the
// server's own version-mismatch error) is left alone.
func TestOnARealCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	for k, ttl := range map[string]time.Duration{"s:1": 30 * time.Second, "s:2": 2 * time.Minute, "s:3": time.Hour, "plain": 0} {
		if _, err := c.Put(ctx, []byte(k), []byte("v-"+k), &client.PutOptions{TTL: ttl}); err != nil {
			t.Fatal(err)
		}
	}
	com := uitest.Common()
	com.Client, com.Timeout = c, 10*time.Second
	h := &harness{t: t, now: time.Now()}
	h.m = New(com)
	h.m.SetSize(80, 24)
	h.run(h.m.Init())
	if got := h.keys(); got != "s:1 s:2 s:3" {
		t.Fatalf("rows %q (scan err %v)", got, h.m.scanErr)
	}

	h.press("e")
	h.run(h.actions[0].Run("1h")) // s:1, under the cursor
	if len(h.results) != 1 || h.results[0].Err != nil || !strings.Contains(h.results[0].Info, "1 key rewritten") {
		t.Fatalf("extend: %+v", h.results)
	}
	got, err := c.Get(ctx, []byte("s:1"), nil)
	if err != nil || string(got.Value) != "v-s:1" || time.Until(got.ExpiresAt()) < 59*time.Minute {
		t.Fatalf("s:1 after extend: %v, expires in %v", err, time.Until(got.ExpiresAt()))
	}

	racing := com
	racing.Client, racing.Data = nil, racingClient{c}
	r := bulkCmd(racing, "clear", []string{"s:2"}, func(time.Time) time.Duration { return 0 })().(bulkMsg)
	if r.conflicts != 1 || r.done != 0 || r.bad != 0 {
		t.Fatalf("conflict on the real server: %+v (first error %v)", r, r.firstErr)
	}
	if got, _ := c.Get(ctx, []byte("s:2"), nil); string(got.Value) != "theirs" {
		t.Fatalf("their write was overwritten: %q", got.Value)
	}
}
