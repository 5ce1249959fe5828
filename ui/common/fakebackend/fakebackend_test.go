package fakebackend

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

func TestKeysVersionsTTLAndScan(t *testing.T) {
	now := time.Unix(1000, 0)
	b := New(func() time.Time { return now }, 64)
	ctx := context.Background()
	v1, err := b.Put(ctx, []byte("k"), []byte("a"), &client.PutOptions{TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	stale := v1
	if _, err := b.Put(ctx, []byte("k"), []byte("b"), &client.PutOptions{IfMatchVersion: &v1}); err != nil {
		t.Fatalf("CAS on the current version: %v", err)
	}
	if _, err := b.Put(ctx, []byte("k"), []byte("c"), &client.PutOptions{IfMatchVersion: &stale}); !errors.As(err, new(*client.VersionMismatchError)) {
		t.Fatalf("CAS on a stale version: %v", err)
	}
	if r, _ := b.Get(ctx, []byte("k"), nil); string(r.Value) != "b" || !r.ExpiresAt().IsZero() {
		t.Fatalf("after CAS: %q expires %v (a put without TTL clears it)", r.Value, r.ExpiresAt())
	}
	b.Put(ctx, []byte("t"), []byte("x"), &client.PutOptions{TTL: time.Second})
	now = now.Add(time.Second)
	if _, err := b.Get(ctx, []byte("t"), nil); !errors.Is(err, client.ErrKeyNotFound) {
		t.Fatalf("expired key: %v", err)
	}
	for i := 0; i < 5; i++ {
		b.Put(ctx, []byte(fmt.Sprintf("p:%d", i)), nil, nil)
	}
	page, _ := b.Scan(ctx, &client.ScanOptions{Prefix: []byte("p:"), Limit: 3})
	next, _ := b.Scan(ctx, &client.ScanOptions{Prefix: []byte("p:"), Limit: 3, Cursor: page.NextCursor})
	if len(page.Entries) != 3 || page.Done || len(next.Entries) != 2 || !next.Done || string(next.Entries[0].Key) != "p:3" {
		t.Fatalf("pages: %+v then %+v", page, next)
	}
	b.Fail("Get", errors.New("boom"))
	if _, err := b.Get(ctx, []byte("k"), nil); err == nil || b.Calls("Get") != 3 {
		t.Fatalf("injected failure: %v after %d calls", err, b.Calls("Get"))
	}
}

func TestVectorsSearchExactly(t *testing.T) {
	b := New(nil, 64)
	ctx := context.Background()
	if ok, err := b.VectorCreateIndex(ctx, "v", 2, client.DistanceEuclidean, client.IndexBruteForce, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := b.VectorCreateIndex(ctx, "v", 3, client.DistanceEuclidean, client.IndexBruteForce, nil); ok || !errors.Is(err, client.ErrAlreadyExists) {
		t.Fatalf("a different definition: %v %v", ok, err)
	}
	b.VectorInsertMany(ctx, "v", []client.VectorItem{{ID: "a", Vector: []float32{0, 0}}, {ID: "b", Vector: []float32{3, 4}}}, 0)
	if _, err := b.VectorInsert(ctx, "v", "c", []float32{1}, nil); err == nil {
		t.Fatal("a wrong dimension count was stored")
	}
	res, err := b.VectorSearch(ctx, "v", []float32{3, 3}, 1, &client.VectorSearchOptions{Exact: true})
	if err != nil || len(res.Matches) != 1 || res.Matches[0].ID != "b" || res.Matches[0].Distance != 1 || !res.Exact {
		t.Fatalf("search: %+v %v", res, err)
	}
	if ix, _ := b.ListVectorIndexes(ctx); len(ix) != 1 || ix[0].Count != 2 {
		t.Fatalf("list: %+v", ix)
	}
}
