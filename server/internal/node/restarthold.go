package node

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The restart hold.
//
// A follower that answered its leader's lease round promised, implicitly,
// not to vote for another candidate until a heartbeat timeout after its
// last contact with that leader (lease.go). A process that crashes and
// comes back at once has forgotten whom it followed: hashicorp/raft would
// let it vote (and campaign) at once, and with the other follower cut off
// from the leader the two could elect a new leader and acknowledge writes
// while the old leader's lease, built on the forgotten promise, still lets
// it serve reads from its own state: stale reads at the default level
// (TestRestartedVoterKeepsItsLeasePromise).
//
// So a node notes every aliveEvery that it is alive: the boot id and the
// time since boot (CLOCK_BOOTTIME, which runs on across process restarts
// and counts suspend) in the file "alive" of its data dir, not synced (a
// process crash keeps the page cache; a machine crash changes the boot id).
// On start, a node whose groups have state holds its vote and its
// elections in them (raft.Config.HoldVoteUntil) until a heartbeat timeout
// plus aliveEvery has passed since the last note, so no promise it may
// have made is still running when it votes again. A node that was down
// longer, or comes back after a reboot, holds nothing; one that cannot
// tell (no note, a note it cannot read, no boot clock on this system)
// holds for a heartbeat timeout from its start.
//
// The cost: a cluster restarted as a whole right after it stopped elects
// its first leaders about a heartbeat timeout later than before.

const (
	// aliveEvery is how often a node notes that it is alive.
	aliveEvery = 100 * time.Millisecond
	// aliveFile is the note's name in the node's data dir.
	aliveFile = "alive"
)

// aliveNote is "<boot id> <nanoseconds since boot>".
type aliveNote struct {
	boot  string
	since time.Duration
}

func (a aliveNote) String() string {
	// Fixed width, so a new note overwrites the old one entirely.
	return fmt.Sprintf("%-36s %020d\n", a.boot, int64(a.since))
}

func parseAliveNote(b []byte) (aliveNote, error) {
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "" {
		return aliveNote{}, fmt.Errorf("want \"<boot id> <ns since boot>\", got %q", b)
	}
	ns, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || ns < 0 {
		return aliveNote{}, fmt.Errorf("bad time since boot %q", f[1])
	}
	return aliveNote{boot: f[0], since: time.Duration(ns)}, nil
}

// restartHold decides, from the note a node left in dir, until when a
// group of it that has state must hold its vote (the zero time: not at
// all), and why. now is the note this node would write now (ok false: no
// boot clock here).
func restartHold(prev []byte, readErr error, now aliveNote, ok bool, heartbeat time.Duration, start time.Time) (time.Time, string) {
	if !ok {
		return start.Add(heartbeat), "this system has no boot clock to tell how long the node was down"
	}
	if readErr != nil {
		if os.IsNotExist(readErr) {
			return start.Add(heartbeat), "it left no note of when it last ran"
		}
		return start.Add(heartbeat), fmt.Sprintf("its note of when it last ran cannot be read: %v", readErr)
	}
	last, err := parseAliveNote(prev)
	if err != nil {
		return start.Add(heartbeat), fmt.Sprintf("its note of when it last ran is damaged: %v", err)
	}
	if last.boot != now.boot {
		return time.Time{}, "the machine rebooted since it last ran"
	}
	down := now.since - last.since
	if down < 0 {
		// A note from later in this boot than now cannot be this node's
		// own: hold as a node that cannot tell, not for as long as the
		// note would make it.
		return start.Add(heartbeat + aliveEvery), fmt.Sprintf("its note of when it last ran is %v ahead of the boot clock", (-down).Round(time.Millisecond))
	}
	left := heartbeat + aliveEvery - down
	if left <= 0 {
		return time.Time{}, fmt.Sprintf("it was down %v", down.Round(time.Millisecond))
	}
	return start.Add(left), fmt.Sprintf("it was down at most %v", (down + aliveEvery).Round(time.Millisecond))
}

// aliveNoter writes the note every aliveEvery until closed.
type aliveNoter struct {
	f    *os.File
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// openAliveNote reads the note the node's last run left in dir, starts
// noting this run, and returns until when groups with state hold their
// vote (zero: not at all) and a sentence saying why.
func openAliveNote(dir string, heartbeat time.Duration, start time.Time) (*aliveNoter, time.Time, string, error) {
	path := filepath.Join(dir, aliveFile)
	prev, readErr := os.ReadFile(path)
	now, ok := bootClock()
	until, why := restartHold(prev, readErr, now, ok, heartbeat, start)
	if !ok {
		return nil, until, why, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, until, why, fmt.Errorf("open %s: %w", path, err)
	}
	a := &aliveNoter{f: f, stop: make(chan struct{}), done: make(chan struct{})}
	if err := a.note(); err != nil {
		_ = f.Close()
		return nil, until, why, fmt.Errorf("write %s: %w", path, err)
	}
	go a.run()
	return a, until, why, nil
}

func (a *aliveNoter) note() error {
	now, _ := bootClock()
	_, err := a.f.WriteAt([]byte(now.String()), 0)
	return err
}

func (a *aliveNoter) run() {
	defer close(a.done)
	t := time.NewTicker(aliveEvery)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			_ = a.note() // a failed note only makes the next start hold longer
		}
	}
}

// close stops the noting after a last note: call it once nothing of the
// node answers its peers any more.
func (a *aliveNoter) close() {
	if a == nil {
		return
	}
	a.once.Do(func() {
		close(a.stop)
		<-a.done
		_ = a.note()
		_ = a.f.Close()
	})
}

// restartHoldState is what Start decided about the restart hold.
type restartHoldState struct {
	until time.Time // zero: no hold
	why   string
	once  sync.Once // logs the hold the first time a group takes it
}

// restartHoldFor returns the HoldVoteUntil of a voter group with state
// (zero: none) and logs the node's hold once.
func (n *Node) restartHoldFor(group string) time.Time {
	h := &n.restartHold
	if h.until.IsZero() || !time.Now().Before(h.until) {
		return time.Time{}
	}
	h.once.Do(func() {
		n.logf("%s restarted with its data (%s): not voting or campaigning for %v, until a heartbeat timeout after it stopped, when no leader can count on its support any more (first group: %s)",
			n.self.ID, h.why, time.Until(h.until).Round(time.Millisecond), group)
	})
	return h.until
}

// logRestartWithoutHold says, for a node whose note shows it ran before,
// that it votes at once: it was down longer than a heartbeat timeout, or
// the machine rebooted. (A hold is logged by restartHoldFor.)
func (n *Node) logRestartWithoutHold() {
	if h := &n.restartHold; h.until.IsZero() && h.why != "" {
		n.logf("%s restarted with its data (%s): voting at once, no leader can count on its support any more", n.self.ID, h.why)
	}
}
