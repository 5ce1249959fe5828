package transport

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Trunks: the group channels' connections to one peer as streams of one
// TCP connection.
//
// Every Raft group has its own connections (hashicorp/raft's
// NetworkTransport dials per group), so with 16 groups a node's
// AppendEntries to a peer carry about one entry each, and every one costs
// a write syscall on the sender, a read and a wake-up on the receiver, and
// the same again for its answer. A trunk carries all of them on one
// connection per peer (as CockroachDB and TiKV batch all ranges' Raft
// messages to a peer): a group channel's Dial opens a stream on the trunk
// to that peer, whose bytes travel in frames; one writer goroutine per
// trunk end drains everything queued since its last write into one write
// (so requests and answers of groups that are busy at the same moment share
// syscalls), one reader goroutine reads frames in large reads and hands
// each stream its bytes. A stream is an ordered byte stream like the TCP
// connection it replaces, so hashicorp/raft's pipelining and per-group
// ordering are unchanged.
//
// Off unless Mux.EnableTrunks is called, and NoriKV's nodes do not call it:
// measured on 3 `serve --fsync` processes at 64-worker Put (alternated
// with the build before, 2026-12-01, perf stat over the 3 processes),
// write syscalls per Put fell by about a third (3.1-3.2 to 2.1-2.2) and
// reads by more than half (4.3 to 1.7), but CPU per Put stayed the same
// (0.18 ms median on both) and throughput and p99 did not improve: system
// calls are not where the time goes; per-batch goroutine hand-offs and
// context switches of 16 groups' small batches are (4.5-4.8 per Put). Every Mux accepts trunks, so turning
// them on later works against nodes of this version.
//
// The dialer says hello after the channel header and waits for the hello
// back; a node from before trunks closes a connection on a channel it does
// not know, so the dialer then connects that peer's groups directly, as
// before, for trunkLegacyFor before it asks again. Only the dialing end
// opens streams; the peer's own groups use the trunk it dials itself.

// TrunkChannel is the channel of trunks.
const TrunkChannel uint32 = 0xFFFFFFFD

const (
	trunkHello     = "NKT1"
	trunkLegacyFor = 30 * time.Second
	// trunkWriteTimeout bounds one write of the trunk: a peer that stopped
	// reading (a stalled process) fails the trunk and all its streams,
	// as the per-connection write deadlines Raft sets would have.
	trunkWriteTimeout = 5 * time.Second
	// trunkMaxPending is how many queued bytes make a stream's Write wait
	// for the writer (back-pressure instead of unbounded memory).
	trunkMaxPending = 4 << 20
	// streamWindow is how many bytes a stream may have sent that its
	// peer's consumer has not read yet (per-stream flow control, as in
	// HTTP/2): a consumer that stops reading (a Raft handler waiting on
	// its group) stalls only its own stream, never the trunk's reader and
	// so never the other groups. The reader returns credit as it reads.
	streamWindow = 4 << 20
	// maxFrameData caps one data frame so one large write (a snapshot)
	// does not hold the writer's buffer to itself.
	maxFrameData = 256 << 10

	frameOpen   = 1 // stream, channel
	frameData   = 2 // stream, length, bytes
	frameClose  = 3 // stream, 0
	frameCredit = 4 // stream, bytes read by the consumer since the last credit
	frameHdr    = 9
)

// errTrunkRefused says the peer does not speak trunks.
var errTrunkRefused = errors.New("peer does not take trunks")

// trunkSlot is the trunk to one peer address; its mutex serializes dialing
// that peer only, so a stalled peer does not hold up dials to others.
type trunkSlot struct {
	mu          sync.Mutex
	t           *trunk
	legacyUntil time.Time
	// dials counts the dials of this peer's trunk and lastErr is the last
	// one's error: a group that waited for mu while another group's dial
	// failed takes that error instead of waiting out a dial of its own
	// (a stalled peer would make 16 groups time out one after another).
	dials   atomic.Uint64 // read without mu: a waiting group reads it before
	lastErr error
}

// trunk is one end of a trunk connection.
type trunk struct {
	m      *Mux
	conn   net.Conn
	dialer bool

	wmu     sync.Mutex
	wroom   *sync.Cond // signalled when the writer took the queue or the trunk failed
	queue   []byte     // frames waiting for the writer
	spare   []byte     // the writer's previous buffer, reused
	wake    chan struct{}
	err     error // set once, when the trunk fails
	done    chan struct{}
	streams map[uint32]*stream
	next    uint32
	scratch []byte // the reader's frame buffer
}

func newTrunk(m *Mux, c net.Conn, dialer bool) *trunk {
	t := &trunk{m: m, conn: c, dialer: dialer, wake: make(chan struct{}, 1), done: make(chan struct{}), streams: map[uint32]*stream{}}
	t.wroom = sync.NewCond(&t.wmu)
	return t
}

// dialStream opens a stream to channel id on the peer at addr through its
// trunk, dialing the trunk if there is none. errTrunkRefused: dial directly.
func (m *Mux) dialStream(addr string, id uint32, timeout time.Duration) (net.Conn, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("replication transport closed")
	}
	slot := m.trunks[addr]
	if slot == nil {
		slot = &trunkSlot{}
		m.trunks[addr] = slot
	}
	m.mu.Unlock()

	seen := slot.dials.Load()
	slot.mu.Lock()
	defer slot.mu.Unlock()
	if time.Now().Before(slot.legacyUntil) {
		return nil, errTrunkRefused
	}
	if slot.dials.Load() != seen && slot.lastErr != nil {
		return nil, slot.lastErr
	}
	if slot.t != nil {
		if s, err := slot.t.open(id); err == nil {
			return s, nil
		}
		slot.t = nil // failed: dial a new one
	}
	t, err := m.dialTrunk(addr, timeout)
	slot.dials.Add(1)
	slot.lastErr = err
	if errors.Is(err, errTrunkRefused) {
		slot.legacyUntil = time.Now().Add(trunkLegacyFor)
	}
	if err != nil {
		return nil, err
	}
	slot.t = t
	return t.open(id)
}

// dialTrunk dials the trunk channel at addr and exchanges hellos.
func (m *Mux) dialTrunk(addr string, timeout time.Duration) (*trunk, error) {
	c, err := m.dial(addr, TrunkChannel, timeout)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, trunkHello); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("trunk hello to %s: %w", addr, err)
	}
	var back [len(trunkHello)]byte
	if _, err := io.ReadFull(c, back[:]); err != nil {
		_ = c.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("trunk hello to %s: %w", addr, err) // stalled, not older
		}
		return nil, errTrunkRefused
	}
	if string(back[:]) != trunkHello {
		_ = c.Close()
		return nil, errTrunkRefused
	}
	_ = c.SetDeadline(time.Time{})
	t := newTrunk(m, c, true)
	if !t.start() {
		_ = c.Close()
		return nil, errors.New("replication transport closed")
	}
	return t, nil
}

// start runs the trunk's writer and reader, counted in the Mux's wait group.
func (t *trunk) start() bool {
	t.m.mu.Lock()
	if t.m.closed {
		t.m.mu.Unlock()
		return false
	}
	t.m.wg.Add(2)
	t.m.mu.Unlock()
	go func() { defer t.m.wg.Done(); t.writeLoop() }()
	go func() { defer t.m.wg.Done(); t.readLoop() }()
	return true
}

// serveTrunk answers the hello of an accepted trunk and serves it until it fails.
func (m *Mux) serveTrunk(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(headerTimeout))
	var hello [len(trunkHello)]byte
	if _, err := io.ReadFull(c, hello[:]); err != nil || string(hello[:]) != trunkHello {
		_ = c.Close()
		return
	}
	if _, err := io.WriteString(c, trunkHello); err != nil {
		_ = c.Close()
		return
	}
	_ = c.SetDeadline(time.Time{})
	t := newTrunk(m, c, false)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		_ = c.Close()
		return
	}
	m.wg.Add(1)
	m.mu.Unlock()
	go func() { defer m.wg.Done(); t.writeLoop() }()
	t.readLoop()
}

// open starts a stream to channel id (dialing end only).
func (t *trunk) open(id uint32) (*stream, error) {
	t.wmu.Lock()
	if t.err != nil {
		err := t.err
		t.wmu.Unlock()
		return nil, err
	}
	t.next++
	s := newStream(t, t.next)
	t.streams[s.id] = s
	t.enqueueLocked(frameOpen, s.id, id, nil)
	t.wmu.Unlock()
	return s, nil
}

// enqueueLocked appends a frame to the writer's queue; t.wmu is held.
func (t *trunk) enqueueLocked(kind byte, id, arg uint32, data []byte) {
	wasEmpty := len(t.queue) == 0
	t.queue = append(t.queue, kind)
	t.queue = binary.BigEndian.AppendUint32(t.queue, id)
	t.queue = binary.BigEndian.AppendUint32(t.queue, arg)
	t.queue = append(t.queue, data...)
	if wasEmpty {
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
}

// write queues p as data frames of stream id, waiting while the queue is full.
func (t *trunk) write(id uint32, p []byte) (int, error) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	n := 0
	for len(p) > 0 {
		for len(t.queue) >= trunkMaxPending && t.err == nil {
			t.wroom.Wait()
		}
		if t.err != nil {
			return n, t.err
		}
		if _, ok := t.streams[id]; !ok {
			return n, net.ErrClosed
		}
		chunk := p
		if len(chunk) > maxFrameData {
			chunk = chunk[:maxFrameData]
		}
		t.enqueueLocked(frameData, id, uint32(len(chunk)), chunk)
		n += len(chunk)
		p = p[len(chunk):]
	}
	return n, nil
}

// credit tells the peer that stream id's consumer read n more bytes.
func (t *trunk) credit(id uint32, n int) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if _, ok := t.streams[id]; ok && t.err == nil {
		t.enqueueLocked(frameCredit, id, uint32(n), nil)
	}
}

// closeStream forgets stream id and tells the peer, unless the peer closed it.
func (t *trunk) closeStream(id uint32, tell bool) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if _, ok := t.streams[id]; !ok {
		return
	}
	delete(t.streams, id)
	if tell && t.err == nil {
		t.enqueueLocked(frameClose, id, 0, nil)
	}
}

// writeLoop writes whatever is queued in one write, until the trunk fails.
func (t *trunk) writeLoop() {
	for {
		select {
		case <-t.wake:
		case <-t.done:
			return
		}
		// Let the goroutines that became runnable with this one (other
		// groups' replicators, handlers woken by the same fsync) queue
		// their frames first, so one write carries them all.
		runtime.Gosched()
		t.wmu.Lock()
		buf := t.queue
		t.queue = t.spare[:0]
		t.wroom.Broadcast()
		t.wmu.Unlock()
		if len(buf) == 0 {
			continue
		}
		_ = t.conn.SetWriteDeadline(time.Now().Add(trunkWriteTimeout))
		if _, err := t.conn.Write(buf); err != nil {
			t.fail(fmt.Errorf("trunk write: %w", err))
			return
		}
		if cap(buf) <= 2*trunkMaxPending { // keep a normal-sized buffer for the next round
			t.spare = buf[:0]
		} else {
			t.spare = nil
		}
	}
}

// readLoop reads frames and hands them to their streams until the trunk fails.
func (t *trunk) readLoop() {
	r := bufio.NewReaderSize(t.conn, 64<<10)
	var hdr [frameHdr]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			t.fail(fmt.Errorf("trunk read: %w", err))
			return
		}
		kind, id, arg := hdr[0], binary.BigEndian.Uint32(hdr[1:5]), binary.BigEndian.Uint32(hdr[5:9])
		var err error
		switch kind {
		case frameOpen:
			err = t.accept(id, arg)
		case frameData:
			err = t.deliver(r, id, int(arg))
		case frameCredit:
			t.wmu.Lock()
			s := t.streams[id]
			t.wmu.Unlock()
			if s != nil {
				s.credited(int(arg))
			}
		case frameClose:
			t.wmu.Lock()
			s := t.streams[id]
			t.wmu.Unlock()
			if s != nil {
				s.remoteClosed()
				t.closeStream(id, false)
			}
		default:
			err = fmt.Errorf("unknown trunk frame type %d", kind)
		}
		if err != nil {
			t.fail(err)
			return
		}
	}
}

// accept registers a stream the peer opened and hands it to its channel.
func (t *trunk) accept(id, channel uint32) error {
	if t.dialer {
		return errors.New("trunk peer opened a stream on the dialing end")
	}
	s := newStream(t, id)
	t.wmu.Lock()
	if t.err != nil {
		t.wmu.Unlock()
		return t.err
	}
	t.streams[id] = s
	t.wmu.Unlock()
	t.m.mu.Lock()
	ch := t.m.channels[channel]
	t.m.mu.Unlock()
	if ch == nil {
		_ = s.Close()
		return nil
	}
	// deliver may wait for the channel's Accept; the reader must not.
	go func() {
		if !ch.deliver(s) {
			_ = s.Close()
		}
	}()
	return nil
}

// deliver reads n bytes of stream id's data from r into the stream.
func (t *trunk) deliver(r *bufio.Reader, id uint32, n int) error {
	if n > maxFrameData {
		return fmt.Errorf("trunk data frame of %d bytes (at most %d)", n, maxFrameData)
	}
	t.wmu.Lock()
	s := t.streams[id]
	t.wmu.Unlock()
	if s == nil { // closed here already: drop its bytes
		_, err := r.Discard(n)
		return err
	}
	return s.fill(r, n)
}

// failure is the error the trunk failed with (nil while it works).
func (t *trunk) failure() error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	return t.err
}

// fail closes the trunk and every stream on it with err (the first error wins).
func (t *trunk) fail(err error) {
	t.wmu.Lock()
	if t.err != nil {
		t.wmu.Unlock()
		return
	}
	t.err = err
	close(t.done)
	streams := t.streams
	t.streams = map[uint32]*stream{}
	t.wroom.Broadcast()
	t.wmu.Unlock()
	_ = t.conn.Close()
	for _, s := range streams {
		s.broken(err)
	}
}
