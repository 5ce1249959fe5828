package client_test

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/norikv/norikv-console/client"
)

func testScan(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	var want []string
	for i := 0; i < 57; i++ {
		k := fmt.Sprintf("scan:%03d", i)
		want = append(want, k)
		if _, err := c.Put(ctx, []byte(k), []byte("value-"+k), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Put(ctx, []byte("scanx"), []byte("not in prefix"), nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	var cursor []byte
	pages := 0
	for {
		res, err := c.Scan(ctx, &client.ScanOptions{Prefix: []byte("scan:"), Cursor: cursor, Limit: 10, IncludeValues: true})
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		pages++
		for _, e := range res.Entries {
			got = append(got, string(e.Key))
			if string(e.Value) != "value-"+string(e.Key) || e.Size != uint64(len(e.Value)) || e.Version.IsZero() {
				t.Fatalf("entry %+v", e)
			}
			if e.Shard != client.ShardForKey(e.Key, 1024) {
				t.Fatalf("entry %s in shard %d, want %d", e.Key, e.Shard, client.ShardForKey(e.Key, 1024))
			}
		}
		if res.Done {
			break
		}
		if len(res.NextCursor) == 0 || pages > 20 {
			t.Fatalf("page %d: not done but cursor %q", pages, res.NextCursor)
		}
		cursor = res.NextCursor
	}
	if !sort.StringsAreSorted(got) || len(got) != len(want) {
		t.Fatalf("scan got %d keys (sorted=%v), want %d", len(got), sort.StringsAreSorted(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("key %d = %s, want %s", i, got[i], want[i])
		}
	}
	if pages != 6 {
		t.Fatalf("%d pages for 57 keys at 10 per page, want 6", pages)
	}
	shard := client.ShardForKey([]byte("scan:007"), 1024)
	res, err := c.ScanShard(ctx, shard, &client.ScanOptions{Prefix: []byte("scan:")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range res.Entries {
		if e.Shard != shard {
			t.Fatalf("ScanShard(%d) returned a key of shard %d", shard, e.Shard)
		}
		found = found || bytes.Equal(e.Key, []byte("scan:007"))
	}
	if !found || !res.Done {
		t.Fatalf("ScanShard missed scan:007 (done=%v)", res.Done)
	}
}

func testVectors(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	created, err := c.VectorCreateIndex(ctx, "docs", 3, client.DistanceCosine, client.IndexHNSW,
		&client.CreateVectorIndexOptions{M: 8, EfConstruction: 64, EfSearch: 32})
	if err != nil || !created {
		t.Fatalf("VectorCreateIndex = %v, %v", created, err)
	}
	if again, err := c.VectorCreateIndex(ctx, "docs", 3, client.DistanceCosine, client.IndexHNSW, nil); err != nil || again {
		t.Fatalf("second identical create = %v, %v; want false", again, err)
	}
	if _, err := c.VectorCreateIndex(ctx, "docs", 4, client.DistanceCosine, client.IndexHNSW, nil); !errors.Is(err, client.ErrAlreadyExists) {
		t.Fatalf("conflicting create: %v, want ErrAlreadyExists", err)
	}
	vecs := map[string][]float32{"a": {1, 0, 0}, "b": {0, 1, 0}, "c": {0.9, 0.1, 0}}
	for id, v := range vecs {
		if _, err := c.VectorInsert(ctx, "docs", id, v, nil); err != nil {
			t.Fatalf("VectorInsert %s: %v", id, err)
		}
	}
	res, err := c.VectorSearch(ctx, "docs", []float32{1, 0, 0}, 2, &client.VectorSearchOptions{IncludeVectors: true, Ef: 16})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 2 || res.Matches[0].ID != "a" || res.Matches[1].ID != "c" || len(res.Matches[0].Vector) != 3 {
		t.Fatalf("search = %+v", res.Matches)
	}
	got, err := c.VectorGet(ctx, "docs", "b")
	if err != nil || len(got) != 3 || got[1] != 1 {
		t.Fatalf("VectorGet = %v, %v", got, err)
	}
	if got, err := c.VectorGet(ctx, "docs", "zzz"); err != nil || got != nil {
		t.Fatalf("VectorGet absent = %v, %v; want nil, nil", got, err)
	}
	idx, err := c.ListVectorIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx) != 1 || idx[0].Namespace != "docs" || idx[0].Count != 3 || !idx[0].FromLeader {
		t.Fatalf("indexes = %+v", idx)
	}
	if ok, err := c.VectorDelete(ctx, "docs", "a", nil); err != nil || !ok {
		t.Fatalf("VectorDelete = %v, %v", ok, err)
	}
	if ok, err := c.VectorDropIndex(ctx, "docs", nil); err != nil || !ok {
		t.Fatalf("VectorDropIndex = %v, %v", ok, err)
	}
	if _, err := c.VectorSearch(ctx, "docs", []float32{1, 0, 0}, 1, nil); !errors.Is(err, client.ErrKeyNotFound) {
		t.Fatalf("search on dropped index: %v, want ErrKeyNotFound", err)
	}
}
