package node

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// Lease reads and their safety.
//
// A leader serves a lease read from local state only while a lease holds.
// The lease comes from a quorum round (confirmRound): the leader notes
// t0 := time.Now() (monotonic) and its term T, then asks every other voter
// of the group for its term, its leader and how long ago it last heard from
// that leader (since). A voter that answers "term T, leader L" will not vote
// for anyone else until its own HeartbeatTimeout has passed since that last
// contact: hashicorp/raft v1.7.3 rejects RequestVote and RequestPreVote
// while it knows a leader (raft.go requestVote/requestPreVote), and clears
// that leader only in runFollower when time.Since(lastContact) >= HeartbeatTimeout.
// Its answer is computed after t0, so it refuses votes until at least
// t0 + HeartbeatTimeout - since. While L leads term T it refuses votes too.
// Every new leader needs a vote from a majority, which meets the round's
// quorum, so no other leader exists before t0 + min(HeartbeatTimeout -
// since) over the quorum. The lease ends well before that:
// leaseLength = (HeartbeatTimeout - since) * (1 - driftMargin) - safetyGap,
// which covers clock rate differences between machines (monotonic clocks
// slew at most 500 ppm; we allow 5%) and timer slop.
//
// A read checks the lease AFTER reading local state (the process may pause
// anywhere; only the clock after the read counts) and the leader must still
// lead term T then: it leads a term at most once, so it led T all along.
//
// A voter that crashes and restarts within the lease has forgotten its
// leader and would vote at once: restarthold.go makes it hold its vote
// and its elections until a HeartbeatTimeout after it last ran.
//
// Transfers we start (balancing, Admin.TransferShard) make the target
// campaign at once with votes that ignore known leaders, so the lease is
// revoked before a transfer starts and rounds started before it ended do
// not grant one.
//
// The same rounds serve linearizable reads (ReadIndex, as etcd): a round
// started after the read arrived in which a quorum still had term T shows no
// later leader existed when it started, so everything acknowledged before
// the read is in this leader's log. Rounds are batched: one in flight serves
// every read waiting for it, plus one queued for reads that arrived after it
// started.

const (
	// driftMargin is the share of a lease given up for clock rate drift
	// between the leader and its followers.
	driftMargin = 0.05
	// safetyGap is subtracted from every lease for timer and scheduling slop.
	safetyGap = 20 * time.Millisecond
)

// roundResult is what a quorum round established.
type roundResult struct {
	term   uint64
	window time.Duration // how long after the round's start no other leader can exist
}

// leaseKeeper holds one group's lease and batches its quorum rounds.
type leaseKeeper struct {
	confirm func(ctx context.Context, timeout time.Duration) (roundResult, error)
	timeout time.Duration // bound of one round

	mu       sync.Mutex
	term     uint64
	until    time.Time // the lease holds while now is before until (monotonic)
	length   time.Duration
	fence    time.Time // rounds started before fence grant no lease
	moving   int       // transfers in progress: no grants
	inflight *quorumRound
	next     *quorumRound
	closed   bool
	wg       sync.WaitGroup
}

// quorumRound is one batched round; done is closed when res and err are set.
type quorumRound struct {
	start time.Time
	done  chan struct{}
	res   roundResult
	err   error
}

func newLeaseKeeper(timeout time.Duration, confirm func(context.Context, time.Duration) (roundResult, error)) *leaseKeeper {
	return &leaseKeeper{confirm: confirm, timeout: timeout}
}

// holds reports whether the lease holds now for term. Called before a read
// it is an optimisation; called after, it decides whether the read may be
// served. While reads arrive, it renews the lease once half of it is used.
func (k *leaseKeeper) holds(term uint64) bool {
	now := time.Now()
	k.mu.Lock()
	defer k.mu.Unlock()
	ok := term == k.term && now.Before(k.until)
	if ok && k.until.Sub(now) < k.length/2 && k.inflight == nil {
		k.startLocked(&quorumRound{done: make(chan struct{})})
	}
	return ok
}

// round returns a round that starts no earlier than after, starting one or
// queueing behind the one in flight.
func (k *leaseKeeper) round(after time.Time) *quorumRound {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r := k.inflight; r != nil && !r.start.Before(after) {
		return r
	}
	if k.inflight == nil {
		r := &quorumRound{done: make(chan struct{})}
		k.startLocked(r)
		return r
	}
	if k.next == nil {
		k.next = &quorumRound{done: make(chan struct{})}
	}
	return k.next
}

// wait blocks until r ends or ctx does.
func (r *quorumRound) wait(ctx context.Context) (roundResult, error) {
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return roundResult{}, ctx.Err()
	}
}

func (k *leaseKeeper) startLocked(r *quorumRound) {
	if k.closed {
		r.err = ErrShuttingDown
		close(r.done)
		return
	}
	r.start = time.Now()
	k.inflight = r
	k.wg.Add(1)
	go k.run(r)
}

func (k *leaseKeeper) run(r *quorumRound) {
	defer k.wg.Done()
	res, err := k.confirm(context.Background(), k.timeout)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err == nil {
		k.grantLocked(r.start, res)
	}
	r.res, r.err = res, err
	close(r.done)
	k.inflight = nil
	if next := k.next; next != nil {
		k.next = nil
		k.startLocked(next)
	}
}

// grantLocked extends the lease from a round that started at start.
func (k *leaseKeeper) grantLocked(start time.Time, res roundResult) {
	if k.moving > 0 || start.Before(k.fence) {
		return
	}
	length := time.Duration(float64(res.window)*(1-driftMargin)) - safetyGap
	if length <= 0 {
		return
	}
	until := start.Add(length)
	if res.term != k.term || until.After(k.until) {
		k.term, k.until, k.length = res.term, until, length
	}
}

// revoke ends the lease and holds off grants until the returned function
// is called (a leadership transfer we start ends then). After a failed
// transfer, grants wait one more round timeout: the target may still be
// asking for votes that ignore the known leader.
func (k *leaseKeeper) revoke() (done func(failed bool)) {
	k.mu.Lock()
	k.until = time.Time{}
	k.moving++
	k.mu.Unlock()
	var once sync.Once
	return func(failed bool) {
		once.Do(func() {
			k.mu.Lock()
			defer k.mu.Unlock()
			k.moving--
			fence := time.Now()
			if failed {
				fence = fence.Add(k.timeout)
			}
			if fence.After(k.fence) {
				k.fence = fence
			}
		})
	}
}

// close fails queued rounds and waits for the one in flight.
func (k *leaseKeeper) close() {
	k.mu.Lock()
	k.closed = true
	if next := k.next; next != nil {
		k.next = nil
		next.err = ErrShuttingDown
		close(next.done)
	}
	k.mu.Unlock()
	k.wg.Wait()
}

// transferLeadership hands the group to target, revoking the lease first
// and accepting no grant from rounds that started before it ended: the
// target campaigns at once, with votes that ignore the known leader.
func (g *raftGroup) transferLeadership(target, raftAddr string) error {
	done := g.lease.revoke()
	err := g.raft.LeadershipTransferToServer(raft.ServerID(target), raft.ServerAddress(raftAddr)).Error()
	done(err != nil)
	return err
}
