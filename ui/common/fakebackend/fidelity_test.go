package fakebackend

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
)

// class is what callers can tell about an answer: its typed error, the
// sentinels it matches, whether its outcome is unknown, and the result.
type class struct {
	Mismatch, KeyMissing, CurrentIsLatest bool
	NotFound, AlreadyExists, Invalid      bool
	Unknown                               bool
	Code                                  codes.Code
	Result                                string
}

func classify(result any, err error, latest client.Version) class {
	c := class{Result: fmt.Sprint(result), Unknown: err != nil && common.OutcomeUnknown(err), Code: codes.OK}
	var vm *client.VersionMismatchError
	if errors.As(err, &vm) {
		c.Mismatch, c.KeyMissing = true, vm.KeyMissing
		c.CurrentIsLatest = vm.Current != nil && *vm.Current == latest
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		c.Code = ce.Code
	}
	c.NotFound = errors.Is(err, client.ErrKeyNotFound)
	c.AlreadyExists = errors.Is(err, client.ErrAlreadyExists)
	c.Invalid = errors.Is(err, client.ErrInvalidArgument)
	return c
}

// refusals runs, on b, the calls our server refuses (or answers with
// nothing) and classifies each answer.
func refusals(t *testing.T, b common.Backend) map[string]class {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]class{}
	v1, err := b.Put(ctx, []byte("fid:k"), []byte("a"), nil)
	must(err)
	v2, err := b.Put(ctx, []byte("fid:k"), []byte("b"), &client.PutOptions{IfMatchVersion: &v1})
	must(err)
	_, err = b.Put(ctx, []byte("fid:k"), []byte("c"), &client.PutOptions{IfMatchVersion: &v1})
	got["CAS on a stale version"] = classify(nil, err, v2)
	ok, err := b.Delete(ctx, []byte("fid:k"), &client.DeleteOptions{IfMatchVersion: &v1})
	got["conditional delete on a stale version"] = classify(ok, err, v2)
	_, err = b.Put(ctx, []byte("fid:new"), []byte("x"), &client.PutOptions{IfMatchVersion: &v2})
	got["CAS on a missing key"] = classify(nil, err, v2)
	_, err = b.Get(ctx, []byte("fid:new"), nil)
	got["get of a missing key"] = classify(nil, err, v2)
	ok, err = b.Delete(ctx, []byte("fid:new"), nil)
	got["delete of a missing key"] = classify(ok, err, v2)
	ok, err = b.Delete(ctx, []byte("fid:new"), &client.DeleteOptions{IfMatchVersion: &v2})
	got["conditional delete of a missing key"] = classify(ok, err, v2)
	_, err = b.Put(ctx, []byte("fid:idem"), []byte("x"), &client.PutOptions{IdempotencyKey: "c30-fidelity-1"})
	must(err)
	ok, err = b.Delete(ctx, []byte("fid:idem"), &client.DeleteOptions{IdempotencyKey: "c30-fidelity-1"})
	got["an idempotency key used again for a delete"] = classify(ok, err, v2)

	_, err = b.VectorCreateIndex(ctx, "fidv", 2, client.DistanceEuclidean, client.IndexBruteForce, nil)
	must(err)
	created, err := b.VectorCreateIndex(ctx, "fidv", 3, client.DistanceEuclidean, client.IndexBruteForce, nil)
	got["create index with another definition"] = classify(created, err, v2)
	_, err = b.VectorInsert(ctx, "fidv", "a", []float32{1, 2, 3}, nil)
	got["insert of a vector with the wrong dimensions"] = classify(nil, err, v2)
	_, err = b.VectorSearch(ctx, "fidv", []float32{1}, 1, nil)
	got["search with the wrong dimensions"] = classify(nil, err, v2)
	_, err = b.VectorSearch(ctx, "fid-none", []float32{1, 2}, 1, nil)
	got["search of a missing index"] = classify(nil, err, v2)
	v, err := b.VectorGetWithOptions(ctx, "fidv", "absent", nil)
	got["get of an absent vector id"] = classify(v == nil, err, v2)
	return got
}

// TestRefusalsClassifyAsOnARealCluster runs the same refused calls on the
// embedded cluster and on the fake: pane tests behind the fake must see a
// conflict as a conflict, a missing key as missing, never an unknown outcome.
func TestRefusalsClassifyAsOnARealCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 16, Groups: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	real, fake := refusals(t, c), refusals(t, New(nil, 16))
	for name, want := range real {
		if got := fake[name]; got != want {
			t.Errorf("%s:\n fake %+v\n real %+v", name, got, want)
		}
	}
	if want := real["CAS on a stale version"]; !want.Mismatch || !want.CurrentIsLatest || want.Unknown {
		t.Errorf("the real cluster's CAS conflict: %+v", want)
	}
}
