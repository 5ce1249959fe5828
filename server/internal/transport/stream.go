package transport

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// stream is one group connection carried by a trunk (trunk.go): a net.Conn
// whose writes are queued on the trunk and whose reads take the bytes the
// trunk's reader handed it.
type stream struct {
	t  *trunk
	id uint32

	mu        sync.Mutex
	buf       []byte // received, unread from off on
	off       int
	eof       bool  // the peer closed the stream
	err       error // the trunk failed
	closed    bool  // closed here
	rdeadline time.Time
	readable  chan struct{} // poked when bytes arrive, the stream ends or the deadline moves
	timer     *time.Timer
	unacked   int // bytes read here that the peer was not credited for yet

	wmu      sync.Mutex    // one Write at a time
	cmu      sync.Mutex    // guards inflight
	inflight int           // bytes sent that the peer's consumer has not read
	room     chan struct{} // poked when credit arrives or the stream ends
}

func newStream(t *trunk, id uint32) *stream {
	return &stream{t: t, id: id, readable: make(chan struct{}, 1), room: make(chan struct{}, 1)}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// fill reads n bytes from r into the buffer. The peer sends at most
// streamWindow unread bytes, so the buffer stays bounded without the
// trunk's reader ever waiting for this stream's consumer.
func (s *stream) fill(r *bufio.Reader, n int) error {
	s.mu.Lock()
	if len(s.buf)-s.off+n > streamWindow {
		s.mu.Unlock()
		return fmt.Errorf("trunk stream %d: peer sent past its window of %d bytes", s.id, streamWindow)
	}
	s.mu.Unlock()
	// Read outside mu: a peer that stalls mid-frame must not block Close.
	if cap(s.t.scratch) < n {
		s.t.scratch = make([]byte, maxFrameData)
	}
	data := s.t.scratch[:n]
	if _, err := io.ReadFull(r, data); err != nil {
		return err
	}
	s.mu.Lock()
	if !s.closed && s.err == nil {
		if s.off == len(s.buf) { // all read: reuse the buffer from its start
			s.buf, s.off = s.buf[:0], 0
		}
		s.buf = append(s.buf, data...)
	}
	s.mu.Unlock()
	poke(s.readable)
	return nil
}

func (s *stream) remoteClosed() {
	s.mu.Lock()
	s.eof = true
	s.mu.Unlock()
	poke(s.readable)
}

func (s *stream) broken(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	poke(s.readable)
}

// Read returns buffered bytes, waiting for some until the stream ends or
// the read deadline passes.
func (s *stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	for {
		if s.off < len(s.buf) {
			n := copy(p, s.buf[s.off:])
			s.off += n
			s.unacked += n
			credit := 0
			if s.unacked >= streamWindow/4 { // credit in large steps: one small frame per MiB read
				credit, s.unacked = s.unacked, 0
			}
			s.mu.Unlock()
			if credit > 0 {
				s.t.credit(s.id, credit)
			}
			return n, nil
		}
		switch {
		case s.closed:
			s.mu.Unlock()
			return 0, net.ErrClosed
		case s.eof:
			s.mu.Unlock()
			return 0, io.EOF
		case s.err != nil:
			err := s.err
			s.mu.Unlock()
			return 0, err
		}
		dl := s.rdeadline
		var timeout <-chan time.Time
		if !dl.IsZero() {
			wait := time.Until(dl)
			if wait <= 0 {
				s.mu.Unlock()
				return 0, os.ErrDeadlineExceeded
			}
			if s.timer == nil {
				s.timer = time.NewTimer(wait)
			} else {
				s.timer.Reset(wait)
			}
			timeout = s.timer.C
		}
		s.mu.Unlock()
		select {
		case <-s.readable:
		case <-timeout:
		}
		if s.timer != nil {
			s.timer.Stop()
		}
		s.mu.Lock()
	}
}

// Write queues p on the trunk, at most streamWindow bytes ahead of the
// peer's consumer.
func (s *stream) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	written := 0
	for len(p) > 0 {
		s.mu.Lock()
		closed, err := s.closed, s.err
		s.mu.Unlock()
		if closed {
			return written, net.ErrClosed
		}
		if err != nil {
			return written, err
		}
		s.cmu.Lock()
		room := streamWindow - s.inflight
		if room <= 0 {
			s.cmu.Unlock()
			select {
			case <-s.room:
			case <-s.t.done:
				return written, s.t.failure()
			}
			continue
		}
		n := min(room, len(p))
		s.inflight += n
		s.cmu.Unlock()
		m, err := s.t.write(s.id, p[:n])
		written += m
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}

// credited returns n bytes of window: the peer's consumer read them.
func (s *stream) credited(n int) {
	s.cmu.Lock()
	s.inflight -= n
	s.cmu.Unlock()
	poke(s.room)
}

// Close ends the stream on both ends.
func (s *stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.buf, s.off = nil, 0
	s.mu.Unlock()
	poke(s.readable)
	poke(s.room)
	s.t.closeStream(s.id, true)
	return nil
}

func (s *stream) LocalAddr() net.Addr  { return s.t.conn.LocalAddr() }
func (s *stream) RemoteAddr() net.Addr { return s.t.conn.RemoteAddr() }

// SetDeadline sets the read deadline; writes only queue (the trunk's
// writer has its own deadline).
func (s *stream) SetDeadline(t time.Time) error { return s.SetReadDeadline(t) }

// SetReadDeadline bounds the current and later reads.
func (s *stream) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	s.rdeadline = t
	s.mu.Unlock()
	poke(s.readable)
	return nil
}

// SetWriteDeadline is accepted and ignored: see SetDeadline.
func (s *stream) SetWriteDeadline(time.Time) error { return nil }
