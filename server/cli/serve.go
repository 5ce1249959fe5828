package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/norikv/norikv-console/server/internal/metrics"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/raftlog"
	"github.com/norikv/norikv-console/server/internal/service"
	"github.com/norikv/norikv-console/server/internal/tlsconf"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// readyPoll is how often serve checks, until it has printed `ready`,
// whether every group it replicates knows a leader.
const readyPoll = 10 * time.Millisecond

// Serve runs one node of a multi-process cluster until ctx ends. Every node
// must get the same --peers, --shards and --groups. It runs inside the
// calling program: --timer-slack is checked but not applied (ServeProcess).
func Serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serve(ctx, args, stdout, stderr, nil)
}

// ServeProcess is Serve as the process's own command (main): it applies
// --timer-slack, executing the process again from os.Args.
func ServeProcess(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serve(ctx, args, stdout, stderr, ownProcess())
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, proc *process) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: norikv-console serve --id n1 --addr HOST:PORT --raft-addr HOST:PORT --data-dir DIR \\\n"+
			"         --peers n1=CLIENT/RAFT,n2=CLIENT/RAFT,n3=CLIENT/RAFT [--shards 1024] [--groups NODES] [--http-addr HOST:PORT] [--debug-addr HOST:PORT] [--fsync=false] [--timer-slack 4ms]\\\n"+
			"         [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]")
		fs.PrintDefaults()
	}
	id := fs.String("id", "", "this node's id, one of the ids in --peers (required)")
	addr := fs.String("addr", "", "client gRPC address host:port (required)")
	raftAddr := fs.String("raft-addr", "", "replication address host:port, one port for all groups (required)")
	dataDir := fs.String("data-dir", "", "directory for this node's Raft logs and snapshots (required)")
	peers := fs.String("peers", "", "every node of the cluster as id=client_addr/raft_addr, comma separated (default: this node alone)")
	shards := fs.Int("shards", topology.DefaultTotalShards, "total virtual shards (same on every node). Without it, a data dir keeps the count it was created with")
	groups := fs.Int("groups", 0, "replication groups (same on every node; at most --shards; default: one per node in --peers). Without it, a data dir keeps the count it was created with")
	httpAddr := fs.String("http-addr", "", "serve /healthz, /readyz and /metrics here (default: off)")
	debugAddr := fs.String("debug-addr", "", "serve Go's profiling endpoints (/debug/pprof/) here (default: off; bind to loopback)")
	fsync := fs.Bool("fsync", true, "fsync every Raft log append; --fsync=false survives process crashes only, and is much faster")
	voteHold := fs.Bool("vote-hold", true, "a node started without data while its peers hold a cluster votes only once it has caught up (it lost its log and vote); --vote-hold=false only to bring back a group most of whose voters lost their data, accepting lost writes")
	maxConns := fs.Int("max-client-conns", 0, "client connections open at once, at most; beyond it new ones are closed at once (default: the open-file limit less what the node keeps for its Raft logs and peers; -1: no cap)")
	minFree := fs.Uint64("min-free-mb", raftlog.DefaultMinFree>>20, "free space (MiB) kept on the data dir's disk: below it the node takes no Raft log entries, leads no group and does not campaign, until twice as much is free")
	slack := addTimerSlackFlag(fs)
	tlsf := addTLSFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q (all options are flags)\n", fs.Arg(0))
		return exitUsage
	}
	// Before anything is opened or said: it executes the process again.
	if !proc.applyTimerSlack("serve", *slack, stderr) {
		return exitUsage
	}
	for _, req := range []struct{ name, val string }{{"id", *id}, {"addr", *addr}, {"raft-addr", *raftAddr}, {"data-dir", *dataDir}} {
		if req.val == "" {
			fmt.Fprintf(stderr, "serve: --%s is required (see --help)\n", req.name)
			return exitUsage
		}
	}
	self := topology.Node{ID: *id, Addr: *addr, RaftAddr: *raftAddr}
	nodes, err := parsePeers(*peers, self)
	if err != nil {
		fmt.Fprintf(stderr, "serve: --peers: %v\n", err)
		return exitUsage
	}
	// Counts not given come from the data dir when it recorded some: one
	// created with other defaults keeps its own (StartCounts).
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if (given["shards"] && *shards < 1) || (given["groups"] && *groups < 1) {
		fmt.Fprintf(stderr, "serve: --shards and --groups must be at least 1 (got %d and %d)\n", *shards, *groups)
		return exitUsage
	}
	rec, err := node.RecordedLayout(*dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return exitError
	}
	nShards, nGroups, kept := node.StartCounts(givenOr0(given["shards"], *shards), givenOr0(given["groups"], *groups), len(nodes), rec)
	if kept != "" {
		fmt.Fprintln(stderr, node.KeptCountsNote(*id, *dataDir, kept, len(nodes)))
	}
	layout := topology.Layout{TotalShards: nShards, Groups: nGroups, Nodes: nodes}
	if err := layout.Validate(); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return exitUsage
	}
	tlsSet, err := tlsconf.Load(tlsf.files())
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return exitUsage
	}
	warnPlaintext(stderr, "serve", tlsSet, map[string]string{"addr": *addr, "raft-addr": *raftAddr})
	n, err := node.Start(node.Config{Layout: layout, NodeID: *id, DataDir: *dataDir, LogOutput: stderr, Fsync: *fsync, TLS: tlsSet, NoVoteHold: !*voteHold, MinFreeBytes: *minFree << 20, MaxClientConns: *maxConns})
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return exitError
	}
	mx := metrics.New(n, true)
	srv := service.NewWithOptions(n, mx.Observe, service.Options{TLS: tlsSet.ServerConfig(), PeerTLS: tlsSet.PeerConfig(), IdemClaimed: mx.IdemClaimed})
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	probeCtx, stopProbe := context.WithCancel(ctx)
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		campaignWhenPeersServe(probeCtx, n, layout, tlsSet.PeerConfig()) // servestart.go
	}()
	defer func() {
		stopProbe()
		<-probed
		srv.Stop()
		if err := n.Close(); err != nil {
			fmt.Fprintf(stderr, "serve: stop: %v\n", err)
		}
	}()
	if *httpAddr != "" {
		stop, err := mx.Serve(*httpAddr)
		if err != nil {
			fmt.Fprintf(stderr, "serve: %v\n", err)
			return exitError
		}
		defer stop()
	}
	if *debugAddr != "" {
		_, stop, err := serveDebug(*debugAddr)
		if err != nil {
			fmt.Fprintf(stderr, "serve: %v\n", err)
			return exitError
		}
		defer stop()
	}
	fmt.Fprintf(stdout, "serving %s on %s (replication %s)\n", *id, *addr, *raftAddr)
	// Polled often (elections take a few milliseconds on a fresh
	// cluster) and only until announced: an idle node does no work for it.
	ticker := time.NewTicker(readyPoll)
	defer ticker.Stop()
	ready := ticker.C
	for {
		select {
		case <-ctx.Done():
			return exitOK
		case err := <-served:
			fmt.Fprintf(stderr, "serve: gRPC server stopped: %v\n", err)
			return exitError
		case err := <-n.LayoutRefused():
			fmt.Fprintf(stderr, "serve: %v\n", err) // its peers run other --shards/--groups
			return exitError
		case <-ready:
			if n.AllGroupsLed() {
				fmt.Fprintf(stdout, "ready %s\n", *addr)
				ticker.Stop()
				ready = nil
			}
		}
	}
}

// parsePeers reads "id=client/raft,..." and checks that self is in it,
// with the same addresses.
func parsePeers(s string, self topology.Node) ([]topology.Node, error) {
	if strings.TrimSpace(s) == "" {
		return []topology.Node{self}, nil
	}
	var out []topology.Node
	found := false
	for _, part := range strings.Split(s, ",") {
		id, addrs, ok := strings.Cut(strings.TrimSpace(part), "=")
		client, raftAddr, ok2 := strings.Cut(addrs, "/")
		if !ok || !ok2 || id == "" || client == "" || raftAddr == "" {
			return nil, fmt.Errorf("peer %q is not id=client_addr/raft_addr (e.g. n1=127.0.0.1:7001/127.0.0.1:7101)", part)
		}
		if id == self.ID {
			if client != self.Addr || raftAddr != self.RaftAddr {
				return nil, fmt.Errorf("peer %s is listed as %s/%s but --addr/--raft-addr say %s/%s", id, client, raftAddr, self.Addr, self.RaftAddr)
			}
			found = true
		}
		out = append(out, topology.Node{ID: id, Addr: client, RaftAddr: raftAddr})
	}
	if !found {
		return nil, fmt.Errorf("this node (--id %s) is not in the peer list", self.ID)
	}
	return out, nil
}

// givenOr0 is v when its flag was given on the command line, else 0 (not given).
func givenOr0(given bool, v int) int {
	if given {
		return v
	}
	return 0
}
