package service

import (
	"context"
	"errors"

	"github.com/norikv/norikv-console/server/internal/node"
)

// awaitLeader handles a NOT_LEADER from a Kv call. With a leader known, the
// answer stays NOT_LEADER with its hint (PROTOCOL.md §4). While none is
// (an election), it waits up to about an election for one, so a simple
// client gets a usable hint instead of an error it cannot act on:
// retryHere says this node itself became the leader. Only when no leader
// appears does the caller get NOT_LEADER without a hint.
func (s *Server) awaitLeader(ctx context.Context, g int, err error) (retryHere bool, _ error) {
	var nl *node.NotLeaderError
	if !errors.As(err, &nl) {
		return false, err
	}
	id, addr, ok := s.n.WaitLeader(ctx, g)
	switch {
	case !ok:
		return false, &node.NotLeaderError{Group: g}
	case id == s.n.ID():
		return true, err
	}
	return false, &node.NotLeaderError{Group: g, Hint: addr}
}
