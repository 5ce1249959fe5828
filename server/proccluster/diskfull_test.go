//go:build linux

package proccluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// A node whose disk fills up (server/internal/raftlog/space.go,
// server/internal/node/storage.go). Three groups on three nodes, so the
// full node leads one group and follows the other two; its data dir is a
// small tmpfs that a filler file fills while Puts run.
const (
	fullShards, fullGroups = 48, 3
	fullDisk               = 96 << 20
)

// ackedWrites runs writers that put fresh keys through any node until
// stopped, and remembers every key a node acknowledged.
type ackedWrites struct {
	mu     sync.Mutex
	keys   [][]byte
	groups [fullGroups]int // acknowledged writes per group
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startWrites(t *testing.T, c *Cluster, conns map[string]norikvpb.KvClient, valueSize int) *ackedWrites {
	ctx, cancel := context.WithCancel(context.Background())
	w := &ackedWrites{cancel: cancel}
	val := make([]byte, valueSize)
	for i := 0; i < 6; i++ {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for j := 0; ctx.Err() == nil; j++ {
				key := []byte(fmt.Sprintf("full-%d-%d", i, j))
				for _, id := range c.IDs() {
					cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
					_, err := conns[id].Put(cctx, &norikvpb.PutRequest{Key: key, Value: val})
					ccancel()
					if err == nil {
						w.mu.Lock()
						w.keys = append(w.keys, key)
						w.groups[groupOf(key, fullShards, fullGroups)]++
						w.mu.Unlock()
						break
					}
				}
			}
		}()
	}
	t.Cleanup(w.stop)
	return w
}

func (w *ackedWrites) stop() { w.cancel(); w.wg.Wait() }

func (w *ackedWrites) perGroup() [fullGroups]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.groups
}

// waitWritesInEveryGroup waits until n more writes were acknowledged in
// every group.
func (w *ackedWrites) waitWritesInEveryGroup(t *testing.T, n int, what string) {
	t.Helper()
	from := w.perGroup()
	waitFor(t, what, func() bool {
		now := w.perGroup()
		for g := range now {
			if now[g]-from[g] < n {
				return false
			}
		}
		return true
	})
}

// checkAllRead reads back every acknowledged key (linearizable, through
// any node that answers).
func (w *ackedWrites) checkAllRead(t *testing.T, c *Cluster, conns map[string]norikvpb.KvClient) {
	t.Helper()
	w.mu.Lock()
	keys := append([][]byte(nil), w.keys...)
	w.mu.Unlock()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var lost []string
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := i; k < len(keys); k += 8 {
				if got := readX(t, c, conns, keys[k]); got == "" {
					mu.Lock()
					lost = append(lost, string(keys[k]))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged writes lost, e.g. %v", len(lost), len(keys), lost[:min(5, len(lost))])
	}
	t.Logf("all %d acknowledged writes read back", len(keys))
}

func httpGet(addr, path string) (int, string) {
	r, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

func nodeStatus(t *testing.T, cl *client.Client, addr string) (*client.NodeStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return cl.NodeStatus(ctx, addr)
}

func leads(v *norikvpb.ClusterView, id string) bool {
	if v == nil {
		return false
	}
	for _, s := range v.Shards {
		for _, r := range s.Replicas {
			if r.Leader && r.NodeId == id {
				return true
			}
		}
	}
	return false
}

// running reports whether a node's process still runs.
func (c *Cluster) running(id string) bool {
	c.mu.Lock()
	p := c.procs[id]
	c.mu.Unlock()
	return p != nil && !closed(p.done)
}

// TestDiskFullNodeStepsDownReportsAndRecovers: n1 (leader of group 0,
// follower of groups 1 and 2) has its disk filled while Puts run. Before,
// its log engine met the full disk and ended the process ("pebble: fatal
// commit error: write .../000007.log: no space left on device"), or, as a
// follower, failed memtable flushes in a loop and said nothing. Now it
// stays up, takes no log entries, hands group 0 over and does not take
// any leadership back while full, and says so (NodeStatus storage_error,
// /health 503, norikv_storage_full 1, one log line); the other two keep
// acknowledging writes in every group. Once the filler is deleted it is
// writable again without a restart, catches up, and every acknowledged
// write reads back; then killed and restarted it replays its own log.
func TestDiskFullNodeStepsDownReportsAndRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and fills a tmpfs")
	}
	const full = "n1"
	c := Start(t, Options{Shards: fullShards, Groups: fullGroups, Fsync: true, HTTP: true, DiskLimit: map[string]int64{full: fullDisk}})
	conns := dialAll(t, c)
	cl, err := client.New(client.Config{Nodes: c.Addrs(), TotalShards: fullShards})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	w := startWrites(t, c, conns, 512)
	w.waitWritesInEveryGroup(t, 50, "writes in every group before the disk fills")
	waitFor(t, full+" leading group 0", func() bool { return c.LeaderOf(t, 0) == full })

	filled := c.FillDisk(t, full, 0)
	t.Logf("filled %s's disk with %d MiB", full, filled>>20)
	st := waitStatus(t, cl, c.Addr(full), full+" reporting its storage error", func(st *client.NodeStatus) bool { return st.StorageError != "" })
	if !strings.Contains(st.StorageError, "no space left on device") {
		t.Fatalf("%s's storage_error %q does not say the disk is full", full, st.StorageError)
	}
	t.Logf("%s: storage_error %q", full, st.StorageError)
	if code, body := httpGet(c.HTTPAddr(full), "/health"); code != http.StatusServiceUnavailable || !strings.Contains(body, "no space left on device") {
		t.Fatalf("%s's /health answers %d %q while its disk is full, want 503 saying why", full, code, body)
	}
	if _, body := httpGet(c.HTTPAddr(full), "/metrics"); !strings.Contains(body, "\nnorikv_storage_full 1\n") {
		t.Fatalf("%s's /metrics lacks norikv_storage_full 1 while its disk is full", full)
	}
	waitFor(t, "group 0 led by another node", func() bool { l := c.LeaderOf(t, 0); return l != "" && l != full })
	w.waitWritesInEveryGroup(t, 50, "writes in every group acknowledged by the other two while "+full+"'s disk is full")
	// Balancing would hand group 0 back to its preferred leader after 5 s
	// (and Raft re-elect a node with the longest log): n1 must not take it.
	for end := time.Now().Add(7 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if v := c.View(t); leads(v, full) {
			t.Fatalf("%s leads a group again while its disk is full (epoch %d)", full, v.Epoch)
		}
	}
	if !c.running(full) {
		t.Fatalf("%s exited while its disk was full:\n%s", full, c.logTail(full, 10))
	}
	// An operator's transfer to it fails, saying why.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	_, err = cl.TransferShard(ctx, 0, full)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "cannot write its Raft log") {
		t.Fatalf("TransferShard(0, %s) while its disk is full: %v, want an error saying it cannot write its Raft log", full, err)
	}
	t.Logf("TransferShard(0, %s): %v", full, err)
	// Once per episode, not per refused write (Raft logs each refused append).
	if lg := c.Log(t, full); strings.Count(lg, "cannot write its Raft log") != 1 || strings.Contains(lg, "entries: no space left on device") {
		t.Fatalf("%s's log should say once that its disk is full, and not per refused write:\n%s", full, c.logTail(full, 20))
	}

	c.FreeDisk(t, full)
	waitStatus(t, cl, c.Addr(full), full+" writable again", func(st *client.NodeStatus) bool { return st.StorageError == "" })
	waitLog(t, c, full, 0, "storage writable again")
	if code, body := httpGet(c.HTTPAddr(full), "/health"); code != http.StatusOK {
		t.Fatalf("%s's /health answers %d %q once its disk has room again", full, code, body)
	}
	waitFor(t, full+" leading group 0 again", func() bool { return c.LeaderOf(t, 0) == full })
	w.waitWritesInEveryGroup(t, 50, "writes in every group after "+full+" recovered")
	w.stop()
	w.checkAllRead(t, c, conns)

	// Its own log is whole: killed and restarted, it starts from it.
	c.Kill(t, full)
	c.Restart(t, full)
	w.checkAllRead(t, c, conns)
	if lg := c.Log(t, full); strings.Contains(lg, "panic") || strings.Contains(lg, "goroutine ") {
		t.Fatalf("%s's log shows a panic:\n%s", full, c.logTail(full, 30))
	}
}

// TestRestartWhileDiskFull: a node whose disk is full (filled to the last
// byte, and with a 1 MiB reserve, so its engine may meet the full disk
// itself) is restarted while still full. Either it runs, holding its
// groups and reporting the full disk, or it exits once with one line
// naming the path, "no space left on device" and what to do, never with a
// panic; the other two keep acknowledging writes. Once space is back it
// starts cleanly and every acknowledged write reads back.
func TestRestartWhileDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and fills a tmpfs")
	}
	const full = "n2"
	c := Start(t, Options{Shards: fullShards, Groups: fullGroups, Fsync: true, HTTP: true,
		DiskLimit: map[string]int64{full: fullDisk}, Args: []string{"--min-free-mb", "1"}})
	conns := dialAll(t, c)
	w := startWrites(t, c, conns, 4096)
	// Enough that its restart must flush the log it replays to a table.
	w.waitWritesInEveryGroup(t, 200, "writes in every group before the disk fills")
	c.FillDisk(t, full, 0)
	w.waitWritesInEveryGroup(t, 50, "writes in every group while "+full+"'s disk is full")
	oneLine := regexp.MustCompile(`(?m)^.*` + regexp.QuoteMeta(c.DataDir(full)) + `.*no space left on device.*free space on .*start the node again.*$`)
	checkExit := func(when string, from int) {
		t.Helper()
		lg := c.Log(t, full)[from:]
		if strings.Contains(lg, "panic") || strings.Contains(lg, "goroutine ") {
			t.Fatalf("%s %s: a panic in its log:\n%s", full, when, lg)
		}
		if !oneLine.MatchString(lg) {
			t.Fatalf("%s exited %s without one line naming %s, the full disk and what to do:\n%s", full, when, c.DataDir(full), lg)
		}
		t.Logf("%s exited %s: %s", full, when, strings.TrimSpace(oneLine.FindString(lg)))
	}
	waitFor(t, full+" saying its disk is full, or exited", func() bool {
		return !c.running(full) || strings.Contains(c.Log(t, full), "cannot write its Raft log")
	})
	if c.running(full) {
		t.Logf("%s runs on its full disk, holding its groups", full)
		c.Kill(t, full)
	} else {
		checkExit("with a full disk", 0)
		c.forget(full)
	}

	from := len(c.Log(t, full))
	c.Launch(t, full)
	cl, err := client.New(client.Config{Nodes: c.Addrs(), TotalShards: fullShards})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var st *client.NodeStatus
	waitFor(t, full+" serving with its disk full, or exited", func() bool {
		if !c.running(full) {
			return true
		}
		st, _ = nodeStatus(t, cl, c.Addr(full))
		return st != nil && strings.Contains(st.StorageError, "no space left on device")
	})
	if c.running(full) {
		t.Logf("%s restarted on its full disk: it serves, holding its groups (%s)", full, st.StorageError)
		c.Kill(t, full)
	} else {
		checkExit("when restarted on its full disk", from)
		c.forget(full)
	}
	w.waitWritesInEveryGroup(t, 50, "writes in every group while "+full+" is restarted on its full disk")

	c.FreeDisk(t, full)
	c.Restart(t, full)
	w.stop()
	w.checkAllRead(t, c, conns)
}

func waitStatus(t *testing.T, cl *client.Client, addr, what string, ok func(*client.NodeStatus) bool) *client.NodeStatus {
	t.Helper()
	var st *client.NodeStatus
	waitFor(t, what, func() bool {
		var err error
		st, err = nodeStatus(t, cl, addr)
		return err == nil && ok(st)
	})
	return st
}
