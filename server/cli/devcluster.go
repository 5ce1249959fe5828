// Package cli implements the `devcluster` and `serve` commands of
// norikv-console. Both stop cleanly (exit 0) when ctx is cancelled, which
// main wires to SIGINT and SIGTERM.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/tlsconf"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const startTimeout = 60 * time.Second

// Devcluster runs an embedded cluster headless: it prints one line
// `ready ADDR1,ADDR2,...` once every group has a leader, then runs until ctx
// ends. It runs inside the calling program: --timer-slack is checked but not
// applied (DevclusterProcess).
func Devcluster(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return devcluster(ctx, args, stdout, stderr, nil)
}

// DevclusterProcess is Devcluster as the process's own command (main): it
// applies --timer-slack, executing the process again from os.Args.
func DevclusterProcess(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return devcluster(ctx, args, stdout, stderr, ownProcess())
}

func devcluster(ctx context.Context, args []string, stdout, stderr io.Writer, proc *process) int {
	fs := flag.NewFlagSet("devcluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: norikv-console devcluster [--nodes 3] [--shards 1024] [--groups NODES] [--port P] [--data-dir DIR] [--http-port H] [--fsync] [--raft-logs] [--timer-slack 4ms]\n"+
			"         [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]")
		fs.PrintDefaults()
	}
	nodes := fs.Int("nodes", 3, "number of nodes (1..64)")
	shards := fs.Int("shards", topology.DefaultTotalShards, "total virtual shards")
	groups := fs.Int("groups", 0, "replication groups (each one Raft group on min(3, nodes) nodes; at most --shards; default: one per node). Without it, an existing --data-dir keeps the count it was created with")
	port := fs.Int("port", 0, "node i (n1 = 0) serves clients on port+i; 0 picks free ports")
	dataDir := fs.String("data-dir", "", "keep data here so it survives a restart (default: a temp dir removed at exit)")
	httpPort := fs.Int("http-port", 0, "node i serves /healthz, /readyz and /metrics on http-port+i; 0 disables HTTP")
	fsync := fs.Bool("fsync", false, "fsync every Raft log append (survives machine crashes; much slower)")
	raftLogs := fs.Bool("raft-logs", false, "print Raft's error logs to stderr (elections and leader moves log benign errors)")
	slack := addTimerSlackFlag(fs)
	tlsf := addTLSFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "devcluster: unexpected argument %q (all options are flags)\n", fs.Arg(0))
		return exitUsage
	}
	// Before anything is opened or said: it executes the process again.
	if !proc.applyTimerSlack("devcluster", *slack, stderr) {
		return exitUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *shards < 1 || (given["groups"] && (*groups < 1 || *groups > *shards)) {
		fmt.Fprintf(stderr, "devcluster: need 1 <= --groups (%d) <= --shards (%d)\n", *groups, *shards)
		return exitUsage
	}
	if *nodes < 1 || *nodes > 64 {
		fmt.Fprintf(stderr, "devcluster: --nodes must be 1..64, got %d\n", *nodes)
		return exitUsage
	}
	if *port < 0 || *port+*nodes-1 > 65535 || *httpPort < 0 || *httpPort+*nodes-1 > 65535 {
		fmt.Fprintf(stderr, "devcluster: --port and --http-port must leave room for %d ports below 65536\n", *nodes)
		return exitUsage
	}
	if _, err := tlsconf.Load(tlsf.files()); err != nil {
		fmt.Fprintf(stderr, "devcluster: %v\n", err)
		return exitUsage
	}
	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	c, err := cluster.Start(startCtx, cluster.Options{
		// Counts not given (0): the data dir's record, else the defaults (cluster.Options).
		Nodes: *nodes, TotalShards: givenOr0(given["shards"], *shards), Groups: givenOr0(given["groups"], *groups), BasePort: *port, DataDir: *dataDir,
		LogOutput: raftLogOutput(*raftLogs, stderr), HTTPBasePort: *httpPort, Fsync: *fsync,
		TLSCert: *tlsf.cert, TLSKey: *tlsf.key, TLSClientCA: *tlsf.clientCA,
	})
	if err != nil {
		if ctx.Err() != nil {
			return exitOK
		}
		fmt.Fprintf(stderr, "devcluster: %v\n", err)
		return exitError
	}
	defer func() {
		if err := c.Close(); err != nil {
			fmt.Fprintf(stderr, "devcluster: stop: %v\n", err)
		}
	}()
	if kept := c.KeptCounts(); kept != "" {
		fmt.Fprintln(stderr, node.KeptCountsNote("devcluster", *dataDir, kept, *nodes))
	}
	fmt.Fprintf(stdout, "ready %s\n", strings.Join(c.Addrs(), ","))
	<-ctx.Done()
	return exitOK
}

func raftLogOutput(on bool, w io.Writer) io.Writer {
	if on {
		return w
	}
	return nil
}
