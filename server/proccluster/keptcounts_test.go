//go:build unix

package proccluster

import (
	"strings"
	"testing"
	"time"
)

// TestServeKeepsItsDataDirsCountsWithoutFlags: a cluster created with
// --shards 256 --groups 16 (16 was the default before 6) is killed and
// started again by the same binary WITHOUT --shards and --groups. Each
// node keeps the counts its data dir recorded instead of the defaults,
// says so once, and every key written before reads back. A node started
// with an explicit other --groups is still refused. On the old code the
// restart took the defaults and every node exited: its data dir was
// created with other counts.
func TestServeKeepsItsDataDirsCountsWithoutFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	const shards, groups = 256, 16
	c := Start(t, Options{Shards: shards, Groups: groups, Fsync: true})
	conns := dialAll(t, c)
	acked := map[string]string{}
	for s := 0; s < shards; s++ {
		k := keyOfShard(s, shards, "kept")
		putOnLeader(t, c, conns, k, "v-"+string(k))
		acked[string(k)] = "v-" + string(k)
	}
	for _, id := range c.IDs() {
		c.Kill(t, id)
	}

	c.SetCounts(0, 0) // neither --shards nor --groups from now on
	from := map[string]int{}
	for _, id := range c.IDs() {
		from[id] = len(c.Log(t, id))
		c.Launch(t, id)
	}
	for _, id := range c.IDs() {
		c.WaitReady(t, id)
	}
	for _, id := range c.IDs() {
		log := c.Log(t, id)[from[id]:]
		want := id + ": data dir " + c.DataDir(id) + " was created with --shards 256 --groups 16; keeping them"
		if n := strings.Count(log, want); n != 1 {
			t.Errorf("%s said %d times %q (want once):\n%s", id, n, want, c.logTail(id, 10))
		}
	}
	for k, v := range acked {
		if got := readElsewhere(t, c, conns, "", []byte(k)); got != v {
			t.Errorf("%s = %q after the restart without counts, want %q", k, got, v)
		}
	}

	// Given explicitly, other counts are refused as before.
	const other = "n3"
	c.Kill(t, other)
	start := len(c.Log(t, other))
	c.LaunchWith(t, other, "--groups", "8")
	if !c.Exited(t, other, 30*time.Second) {
		t.Fatalf("%s started with --groups 8 on a data dir of --groups 16 runs:\n%s", other, c.logTail(other, 10))
	}
	if log := c.Log(t, other)[start:]; !strings.Contains(log, "was created with --shards 256 --groups 16, but this node was started with --shards 1024 --groups 8") {
		t.Errorf("%s refused without naming both counts:\n%s", other, log)
	}
}

// TestWipedNodeOnTheNewDefaultIsToldTheClustersCounts: in a cluster of
// 16 groups (made before the default became 6), n3's data dir is wiped
// and n3 is started without --groups, so with the default 6. Its peers
// hold the cluster's data with 16: it exits naming the counts to start
// it with, and with them it joins.
func TestWipedNodeOnTheNewDefaultIsToldTheClustersCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Groups: 16})
	const wiped = "n3"
	c.Kill(t, wiped)
	c.Wipe(t, wiped)
	c.SetCounts(0, 0)
	from := len(c.Log(t, wiped))
	c.Launch(t, wiped)
	if !c.Exited(t, wiped, 30*time.Second) {
		t.Fatalf("%s wiped and started on the default groups in a cluster of 16 runs:\n%s", wiped, c.logTail(wiped, 10))
	}
	log := c.Log(t, wiped)[from:]
	t.Logf("%s exited:\n%s", wiped, strings.TrimSpace(log))
	if want := "start n3 with --shards 1024 --groups 16 as the others were"; !strings.Contains(log, want) {
		t.Errorf("%s exited without saying %q:\n%s", wiped, want, log)
	}
	c.SetCounts(0, 16)
	c.Launch(t, wiped)
	c.WaitReady(t, wiped)
}
