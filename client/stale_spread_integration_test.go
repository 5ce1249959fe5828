package client_test

import (
	"testing"

	"github.com/norikv/norikv-console/client"
)

// testStaleReadsSpread: stale_ok reads go to every replica in turn (the
// served_by meta names the answering node), lease reads to the leader only.
func testStaleReadsSpread(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	key := []byte("spread-me")
	if _, err := c.Put(ctx, key, []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	servedBy := func(level client.ConsistencyLevel) (map[string]int, error) {
		seen := map[string]int{}
		for i := 0; i < 30; i++ {
			res, err := c.Get(ctx, key, &client.GetOptions{Consistency: level})
			if err != nil {
				return nil, err
			}
			seen[res.Meta["served_by"]]++
		}
		return seen, nil
	}
	// A follower may not have applied the put yet (stale_ok says so).
	waitForCond(t, "every replica to serve the key", func() bool {
		seen, err := servedBy(client.ConsistencyStaleOK)
		return err == nil && len(seen) == 3
	})
	lease, err := servedBy(client.ConsistencyLease)
	if err != nil {
		t.Fatal(err)
	}
	if len(lease) != 1 {
		t.Fatalf("lease reads served by %v, want the leader only", lease)
	}
	stale, err := servedBy(client.ConsistencyStaleOK)
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range stale {
		if n < 5 {
			t.Fatalf("stale reads served by %v: %s answered only %d of 30", stale, id, n)
		}
	}
}
