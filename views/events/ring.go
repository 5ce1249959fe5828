package events

// MaxEntries is how many events the timeline keeps: a long session (a
// flapping node, a leader-move loop) must not grow the console's memory
// without bound. Older events are dropped and counted.
const MaxEntries = 1000

// ring holds the newest MaxEntries (or capacity) entries in a fixed buffer.
type ring struct {
	buf     []Entry
	next    int // where the next entry goes
	n       int // entries held
	dropped int // entries pushed out since the last reset
	// pushed counts the entries ever pushed (a reset does not start it
	// over): entry number s (from 0) is held while pushed-s <= n.
	pushed uint64
}

func newRing(capacity int) ring { return ring{buf: make([]Entry, max(1, capacity))} }

// push adds e as the newest entry, dropping the oldest when full, and
// returns its number (for at).
func (r *ring) push(e Entry) uint64 {
	if r.n == len(r.buf) {
		r.dropped++
	} else {
		r.n++
	}
	r.buf[r.next] = e
	r.next = (r.next + 1) % len(r.buf)
	r.pushed++
	return r.pushed - 1
}

// holds reports whether entry number seq (push's) is still held: not let
// go as the ring filled, nor cleared.
func (r *ring) holds(seq uint64) bool {
	return seq < r.pushed && r.pushed-seq <= uint64(r.n)
}

// at returns entry number seq to update in place, if still held.
func (r *ring) at(seq uint64) (*Entry, bool) {
	if !r.holds(seq) {
		return nil, false
	}
	back := int(r.pushed - seq) // 1 for the newest
	return &r.buf[(r.next-back+len(r.buf))%len(r.buf)], true
}

// moveToNewest moves entry number seq to the newest place, the entries
// newer than it one place back (each number one less), and returns its new
// number; false when seq is no longer held.
func (r *ring) moveToNewest(seq uint64) (uint64, bool) {
	if !r.holds(seq) {
		return 0, false
	}
	pos := func(s uint64) int { return (r.next - int(r.pushed-s) + len(r.buf)) % len(r.buf) }
	e := r.buf[pos(seq)]
	for s := seq; s+1 < r.pushed; s++ {
		r.buf[pos(s)] = r.buf[pos(s+1)]
	}
	r.buf[pos(r.pushed-1)] = e
	return r.pushed - 1, true
}

// newestFirst returns the entries, newest first, in a new slice.
func (r *ring) newestFirst() []Entry {
	out := make([]Entry, r.n)
	for i := range out {
		out[i] = r.buf[(r.next-1-i+2*len(r.buf))%len(r.buf)]
	}
	return out
}

// reset empties the ring.
func (r *ring) reset() {
	pushed := r.pushed
	*r = newRing(len(r.buf))
	r.pushed = pushed
}
