// NoriKV patch: which peers take the binary AppendEntries codec.

package raft

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// RPC type bytes of the NoriKV patch, far from upstream's (0-4) so a
// future upstream type cannot collide with them.
const (
	// rpcNoriKVHello asks a peer which binary codec version it knows:
	// the dialer sends [type, version], a peer that knows it answers
	// [type, version it will read]. An older peer drops the connection
	// ("unknown rpc type"), which is the answer "none".
	rpcNoriKVHello uint8 = 0x80
	// rpcAppendEntriesBinary is an AppendEntries request in the binary
	// codec (norikv_aecodec.go); the answer comes in the same codec.
	rpcAppendEntriesBinary uint8 = 0x81

	// aeCodecVersion is the binary codec this build writes and reads.
	aeCodecVersion = 1

	// legacyPeerFor is how long a peer that did not answer the hello gets
	// msgpack before it is asked again (it may have been upgraded since).
	legacyPeerFor = 30 * time.Second

	// helloTimeout bounds the hello when the transport has no timeout.
	helloTimeout = 5 * time.Second
)

// dialAE dials target; with the binary codec on, it says hello first and
// marks the connection binary if the peer answers. A peer that drops the
// connection instead is an older node: it is dialed again and gets
// msgpack, and so do its next connections for legacyPeerFor. A hello
// that times out fails the call (the peer is stalled, not older).
func (n *NetworkTransport) dialAE(target ServerAddress) (*netConn, error) {
	conn, err := n.stream.Dial(target, n.timeout)
	if err != nil {
		return nil, err
	}
	nc := n.wrapConn(target, conn)
	if !n.binaryAE || n.isLegacyPeer(target) {
		return nc, nil
	}
	return n.sayHello(nc)
}

// getConnForRPC is genericRPC's connection. Only AppendEntries need the
// hello: a vote (or TimeoutNow, or a pre-vote) on a new connection goes
// out at once, and the connection says hello when it first carries
// AppendEntries from the pool. On a starved machine each round trip of a
// new connection waits for a CPU on both sides, and a candidate whose
// votes arrive after its election timeout starts over: the hello was one
// of the three waits (dial, hello, vote) of every vote to a peer without
// a pooled connection.
func (n *NetworkTransport) getConnForRPC(id ServerID, target ServerAddress, rpcType uint8) (*netConn, error) {
	if rpcType == rpcAppendEntries {
		return n.getConnFromAddressProvider(id, target)
	}
	target = n.getProviderAddressOrFallback(id, target)
	if conn := n.getPooledConn(target); conn != nil {
		return conn, nil
	}
	conn, err := n.stream.Dial(target, n.timeout)
	if err != nil {
		return nil, err
	}
	nc := n.wrapConn(target, conn)
	nc.helloPending = n.binaryAE && !n.isLegacyPeer(target)
	return nc, nil
}

// helloLater says the hello on a pooled connection dialed without it.
func (n *NetworkTransport) helloLater(nc *netConn) (*netConn, error) {
	nc.helloPending = false
	if n.isLegacyPeer(nc.target) {
		return nc, nil
	}
	return n.sayHello(nc)
}

// sayHello asks the peer on nc for the binary codec: nc marked binary if
// it answers; a peer that drops the connection is an older node, dialed
// again for msgpack; a hello that times out fails the call.
func (n *NetworkTransport) sayHello(nc *netConn) (*netConn, error) {
	target := nc.target
	err := hello(nc, n.timeout)
	if err == nil {
		nc.binaryAE = true
		return nc, nil
	}
	_ = nc.Release()
	// A peer that does not answer in time is not known to be older: it
	// is slow or stopped, and the call fails as any RPC to it would.
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, fmt.Errorf("hello to %s: %w", target, err)
	}
	n.logger.Debug("peer does not take binary AppendEntries, using msgpack", "peer", target, "error", err)
	n.markLegacyPeer(target)
	conn, err := n.stream.Dial(target, n.timeout)
	if err != nil {
		return nil, err
	}
	return n.wrapConn(target, conn), nil
}

// hello asks the peer on nc whether it reads binary AppendEntries.
func hello(nc *netConn, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = helloTimeout
	}
	_ = nc.conn.SetDeadline(time.Now().Add(timeout))
	defer func() { _ = nc.conn.SetDeadline(time.Time{}) }()
	if _, err := nc.w.Write([]byte{rpcNoriKVHello, aeCodecVersion}); err != nil {
		return err
	}
	if err := nc.w.Flush(); err != nil {
		return err
	}
	var reply [2]byte
	if _, err := io.ReadFull(nc.r, reply[:]); err != nil {
		return err
	}
	if reply[0] != rpcNoriKVHello || reply[1] != aeCodecVersion {
		return fmt.Errorf("unexpected hello answer %#x %#x", reply[0], reply[1])
	}
	return nil
}

// answerHello reads the rest of a hello and answers it. A dialer asking
// for a version this build does not know gets 0, which it reads as "no".
func answerHello(r *bufio.Reader, w *bufio.Writer) error {
	v, err := r.ReadByte()
	if err != nil {
		return err
	}
	answer := byte(aeCodecVersion)
	if v != aeCodecVersion {
		answer = 0
	}
	_, err = w.Write([]byte{rpcNoriKVHello, answer})
	return err
}

func (n *NetworkTransport) isLegacyPeer(target ServerAddress) bool {
	n.legacyMu.Lock()
	defer n.legacyMu.Unlock()
	until, ok := n.legacyPeers[target]
	if ok && time.Now().After(until) {
		delete(n.legacyPeers, target)
		return false
	}
	return ok
}

func (n *NetworkTransport) markLegacyPeer(target ServerAddress) {
	n.legacyMu.Lock()
	n.legacyPeers[target] = time.Now().Add(legacyPeerFor)
	n.legacyMu.Unlock()
}
