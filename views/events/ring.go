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
}

func newRing(capacity int) ring { return ring{buf: make([]Entry, max(1, capacity))} }

// push adds e as the newest entry, dropping the oldest when full.
func (r *ring) push(e Entry) {
	if r.n == len(r.buf) {
		r.dropped++
	} else {
		r.n++
	}
	r.buf[r.next] = e
	r.next = (r.next + 1) % len(r.buf)
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
func (r *ring) reset() { *r = newRing(len(r.buf)) }
