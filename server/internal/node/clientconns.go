package node

import "github.com/norikv/norikv-console/server/internal/connlimit"

// capClientConns wraps the client listener in a cap of client connections
// (Config.MaxClientConns): a client leaking connections used to fill the
// process's open-file limit, after which the node accepted no client,
// could open no Raft log file or peer connection, kept leading its groups
// and said nothing.
func (n *Node) capClientConns() {
	limit := n.cfg.MaxClientConns
	if limit == 0 {
		if n, ok := openFileLimit(); ok {
			limit = connlimit.Default(n)
		}
	}
	n.clientConns = connlimit.Wrap(n.clientLn, max(limit, 0), func(format string, args ...any) {
		n.logf(n.self.ID+": "+format, args...)
	})
	n.clientLn = n.clientConns
}

// ClientConns reports the client connections open, those refused for the
// cap since start, and the cap (0: none).
func (n *Node) ClientConns() (open int64, refused uint64, maxConns int) {
	return n.clientConns.Open(), n.clientConns.Refused(), n.clientConns.Max()
}

// ClientConnsEvicted is the number of idle client connections closed to
// make room for new ones at the cap since start.
func (n *Node) ClientConnsEvicted() uint64 { return n.clientConns.Evicted() }
