package audit

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/journal"
)

// TestEveryWriteIsRecorded: on a real cluster, each kind of write through
// the wrapped backend leaves one audit line with what it touched, the
// versions, the idempotency key it carried and the result; reads leave
// none.
func TestEveryWriteIsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 64, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b := Wrap(c, j)

	v1, err := b.Put(ctx, []byte("user:1"), []byte("a"), nil)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := b.Put(ctx, []byte("user:1"), []byte("b"), &client.PutOptions{IfMatchVersion: &v1, IdempotencyKey: "mine-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, conflict := b.Put(ctx, []byte("user:1"), []byte("c"), &client.PutOptions{IfMatchVersion: &v1})
	var vm *client.VersionMismatchError
	if !errors.As(conflict, &vm) {
		t.Fatalf("stale CAS: %v", conflict)
	}
	if _, err := b.Get(ctx, []byte("user:1"), nil); err != nil { // a read: no line
		t.Fatal(err)
	}
	if _, err := b.Delete(ctx, []byte("bin\x00key"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.VectorCreateIndex(ctx, "ns", 2, client.DistanceCosine, client.IndexHNSW, nil); err != nil {
		t.Fatal(err)
	}
	vv, err := b.VectorInsert(ctx, "ns", "a", []float32{1, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.VectorInsertMany(ctx, "ns", []client.VectorItem{{ID: "b", Vector: []float32{0, 1}}, {ID: "c", Vector: []float32{1, 1}}}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.VectorDelete(ctx, "ns", "a", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.VectorDropIndex(ctx, "ns", nil); err != nil {
		t.Fatal(err)
	}
	path := j.AuditPath()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []journal.Record
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r journal.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		got = append(got, r)
	}
	want := []journal.Record{
		{Op: "put", Key: "user:1", VersionAfter: FormatVersion(v1), Result: "ok"},
		{Op: "put", Key: "user:1", VersionBefore: FormatVersion(v1), VersionAfter: FormatVersion(v2), IdempotencyKey: "mine-1", Result: "ok"},
		{Op: "put", Key: "user:1", VersionBefore: FormatVersion(v1), Result: conflict.Error()},
		{Op: "delete", Key: `"bin\x00key"`, Result: "ok: it was already gone"},
		{Op: "create index", Namespace: "ns", Result: "ok: created"},
		{Op: "vector insert", Namespace: "ns", ID: "a", VersionAfter: FormatVersion(vv), Result: "ok"},
		{Op: "vector insert many", Namespace: "ns", ID: "b .. c (2 items)", Result: "ok: 2 inserted"},
		{Op: "vector delete", Namespace: "ns", ID: "a", Result: "ok: deleted"},
		{Op: "drop index", Namespace: "ns", Result: "ok: dropped"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d audit lines, want %d:\n%s", len(got), len(want), data)
	}
	for i, w := range want {
		g := got[i]
		if g.Op != w.Op || g.Key != w.Key || g.Namespace != w.Namespace || g.ID != w.ID || g.VersionBefore != w.VersionBefore ||
			g.VersionAfter != w.VersionAfter || g.Result != w.Result || g.Time.IsZero() || g.LatencyMS <= 0 {
			t.Errorf("line %d: %+v\nwant %+v", i+1, g, w)
		}
		switch {
		case w.IdempotencyKey != "" && g.IdempotencyKey != w.IdempotencyKey:
			t.Errorf("line %d: idempotency key %q, want the caller's %q", i+1, g.IdempotencyKey, w.IdempotencyKey)
		case w.Op != "vector insert many" && !strings.HasPrefix(g.IdempotencyKey, "console-") && w.IdempotencyKey == "":
			t.Errorf("line %d: idempotency key %q, want one the console chose", i+1, g.IdempotencyKey)
		}
	}
}
