package client_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client"
)

// testVectorInsertMany: a bulk load inserts every item; a bad item stops it
// with an error naming the item; a cancelled context stops it.
func testVectorInsertMany(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	const ns, dims, n = "bulk", 8, 400
	mustCreate(t, c, ns, dims, client.DistanceEuclidean, client.IndexHNSW)
	items := make([]client.VectorItem, n)
	for i := range items {
		items[i] = client.VectorItem{ID: fmt.Sprintf("b%03d", i), Vector: vecFor(i, dims)}
	}
	got, err := c.VectorInsertMany(ctx, ns, items, 8)
	if err != nil || got != n {
		t.Fatalf("VectorInsertMany = %d, %v; want %d, nil", got, err, n)
	}
	if ix := listIndex(t, c, ns); ix.Count != n {
		t.Fatalf("count %d after a bulk load of %d", ix.Count, n)
	}
	for _, i := range []int{0, 199, 399} {
		v, err := c.VectorGet(ctx, ns, items[i].ID)
		if err != nil || !equalVec(v, items[i].Vector) {
			t.Fatalf("item %d: %v %v", i, v, err)
		}
	}
	// Again: upserts of the same vectors change nothing.
	if got, err := c.VectorInsertMany(ctx, ns, items, 0); err != nil || got != n {
		t.Fatalf("second load = %d, %v", got, err)
	}
	bad := append([]client.VectorItem{}, items[:50]...)
	bad[20] = client.VectorItem{ID: "bad", Vector: []float32{1, 2}}
	_, err = c.VectorInsertMany(ctx, ns, bad, 4)
	wantCode(t, "bulk load with a bad item", err, codes.InvalidArgument, "")
	if !strings.Contains(err.Error(), `item 20 (id "bad")`) {
		t.Fatalf("bad item: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if got, err := c.VectorInsertMany(cctx, ns, items, 4); err == nil || got == n {
		t.Fatalf("cancelled load = %d, %v", got, err)
	}
	_, err = c.VectorInsertMany(ctx, ns, items, -1)
	wantCode(t, "negative parallelism", err, codes.InvalidArgument, "parallelism")
}
