// Package headless is the console's shell commands: `norikv-console get KEY`,
// `put`, `scan`, `status`, ... for scripts, cron health checks and runbooks.
// They read the console's config file, profiles and flags (through ui/app),
// print a table on a terminal and JSON when piped, and exit with codes a
// script can branch on (see ExitOK and the others).
package headless

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/app"
)

// Exit codes of the shell commands.
const (
	ExitOK          = 0 // done
	ExitError       = 1 // any other failure (e.g. the server lacks a feature)
	ExitInvalid     = 2 // invalid input: unknown command or flag, bad argument, bad config
	ExitNotFound    = 3 // the key, vector or index does not exist
	ExitConflict    = 4 // compare-and-swap conflict: the version did not match
	ExitUnavailable = 5 // no node reachable, no leader, or timed out
	ExitReadOnly    = 6 // a write refused by --read-only or a read-only profile
	ExitDegraded    = 7 // status: the cluster answers but is not healthy
)

// IO is where a command reads and writes.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Terminal is true when Stdout is a terminal: the default output is then
	// a table, else JSON.
	Terminal bool
}

// command is one shell command.
type command struct {
	name    string
	summary string
	usage   string // full --help text
	flags   []flagSpec
	run     func(x *exec, a *args) error
}

// commands lists the shell commands in help order.
func commands() []command {
	return []command{
		getCommand(), putCommand(), casCommand(), deleteCommand(), ttlCommand(), scanCommand(),
		traceCommand(), statusCommand(), watchCommand(), indexCommand(), insertCommand(), searchCommand(),
	}
}

// Names returns the shell command names, sorted.
func Names() []string {
	var out []string
	for _, c := range commands() {
		out = append(out, c.name)
	}
	sort.Strings(out)
	return out
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// Split finds the command word in a console command line: the first
// argument that is neither a flag nor a flag's value, so global flags may
// come first (`--profile prod status`). It returns "" when there is none
// (the console opens), and the arguments without the command word.
func Split(argv []string) (name string, rest []string) {
	for i := 0; i < len(argv); i++ {
		tok := argv[i]
		if tok == "--" {
			return "", argv
		}
		if !isFlag(tok) {
			return tok, append(append([]string{}, argv[:i]...), argv[i+1:]...)
		}
		n, _, hasVal := strings.Cut(strings.TrimLeft(tok, "-"), "=")
		switch n {
		case "profile", "nodes", "shards", "config", "theme", "output", "o":
			if !hasVal {
				i++
			}
		}
	}
	return "", argv
}

// Run runs the shell command name with its arguments and returns the exit
// code. Other subcommands (devcluster, serve) are the caller's; an unknown
// name is refused with the closest valid command.
func Run(ctx context.Context, name string, argv []string, std IO) int {
	format := guessFormat(argv, std.Terminal)
	if name == "help" { // `help` and `help COMMAND`, as git and kubectl do
		if len(argv) == 0 {
			fmt.Fprint(std.Stdout, app.Usage+"\n"+Usage())
			return ExitOK
		}
		name, argv = argv[0], []string{"--help"}
	}
	cmd, ok := lookup(name)
	if !ok {
		all := append(Names(), "devcluster", "serve", "help")
		hint := ""
		if best := closest(name, all); best != "" {
			hint = fmt.Sprintf(": did you mean %q?", best)
		}
		return fail(std.Stderr, format, "norikv-console", usagef("unknown command %q%s (commands: %s; see norikv-console --help)", name, hint, strings.Join(all, ", ")))
	}
	a, err := parseArgs(name, cmd.flags, argv)
	if err != nil {
		return fail(std.Stderr, format, name, err)
	}
	if a.bools["help"] {
		fmt.Fprint(std.Stdout, cmd.usage)
		return ExitOK
	}
	format, err = outputFormat(a, std.Terminal)
	if err != nil {
		return fail(std.Stderr, guessFormat(argv, std.Terminal), name, err)
	}
	f, err := app.ParseFlags(a.console)
	if err != nil {
		return fail(std.Stderr, format, name, &usageError{msg: err.Error()})
	}
	s, _, err := app.LoadSettings(f)
	if err != nil {
		return fail(std.Stderr, format, name, &usageError{msg: err.Error()})
	}
	out := bufio.NewWriter(std.Stdout)
	x := &exec{ctx: ctx, settings: s, format: format, out: out, stdin: std.Stdin, stderr: std.Stderr}
	defer x.close()
	err = cmd.run(x, a)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if errors.Is(err, syscall.EPIPE) {
		return ExitOK // the reader went away (`| head`): stop quietly
	}
	if err != nil {
		return fail(std.Stderr, format, name, err)
	}
	return ExitOK
}

// exec is one command's run: settings, output and a lazily connected client.
type exec struct {
	ctx      context.Context
	settings app.Settings
	format   string
	out      *bufio.Writer
	stdin    io.Reader
	stderr   io.Writer
	c        *client.Client
	cancels  []context.CancelFunc // of the requests' contexts (request)
}

// errNoCluster refuses to run without a cluster: a shell command on a
// throwaway embedded cluster would be useless.
var errNoCluster = errors.New("no cluster given: pass --nodes host:port,... or --profile NAME (or set default_profile in the config file); " +
	"shell commands do not start the embedded cluster: run `norikv-console devcluster` for a local one")

// errReadOnly is a write refused by --read-only or a read-only profile.
var errReadOnly = errors.New("read-only: writes are refused (--read-only or the profile's read_only); drop the flag or use another profile")

// writable refuses writes on read-only settings.
func (x *exec) writable() error {
	if x.settings.ReadOnly {
		return errReadOnly
	}
	return nil
}

// client connects on first use, waiting for the first cluster view.
func (x *exec) client() (*client.Client, error) {
	if x.c != nil {
		return x.c, nil
	}
	if x.settings.Embedded() {
		return nil, &usageError{msg: errNoCluster.Error()}
	}
	cfg, err := app.ClientConfig(x.settings)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	c, err := client.New(cfg)
	if err != nil {
		return nil, &usageError{msg: "create the client: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(x.ctx, max(x.settings.Timeout, 2*time.Second))
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("connect to %s: %w", strings.Join(x.settings.Nodes, ","), err)
	}
	var sce *client.ShardCountError
	if errors.As(c.CheckShardCount(), &sce) {
		_ = c.Close()
		if x.settings.ShardsFrom != "" {
			return nil, &usageError{msg: fmt.Sprintf("%s is %d, but the cluster at %s has %d shards: use %d (without --shards or "+
				"total_shards the count is taken from the cluster)", x.settings.ShardsFrom, sce.Configured,
				strings.Join(x.settings.Nodes, ","), sce.Cluster, sce.Cluster)}
		}
		// The default count is a guess: take the cluster's.
		x.settings.TotalShards, x.settings.ShardsFrom = sce.Cluster, "the cluster"
		return x.client()
	}
	x.c = c
	return c, nil
}

func (x *exec) close() {
	for _, cancel := range x.cancels {
		cancel()
	}
	if x.c != nil {
		_ = x.c.Close()
	}
}

// request bounds one request by the profile's timeout, as the console
// does: a request the client would retry for its whole budget (a write to
// a group without a majority took 37 s, found in tmux) ends with the
// timeout instead. Its cancel runs at close.
func (x *exec) request() context.Context {
	ctx, cancel := x.requestCtx()
	x.cancels = append(x.cancels, cancel)
	return ctx
}

// requestCtx is request's context with its cancel, for a loop of requests.
func (x *exec) requestCtx() (context.Context, context.CancelFunc) {
	if x.settings.Timeout <= 0 {
		return context.WithCancel(x.ctx)
	}
	return context.WithTimeout(x.ctx, x.settings.Timeout)
}
