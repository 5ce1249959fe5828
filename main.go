// Command norikv-console is a terminal console for NoriKV clusters. With no
// cluster configured it starts an embedded 3-node cluster; `devcluster` and
// `serve` run the server without the console, and the shell commands (get,
// put, scan, status, ...) script a cluster from the shell.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/norikv/norikv-console/server/cli"
	"github.com/norikv/norikv-console/ui/app"
	"github.com/norikv/norikv-console/ui/headless"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches the subcommands; everything else opens the console.
func run(ctx context.Context, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "devcluster":
			return cli.DevclusterProcess(ctx, args[1:], os.Stdout, os.Stderr)
		case "serve":
			return cli.ServeProcess(ctx, args[1:], os.Stdout, os.Stderr)
		}
	}
	// A command word anywhere among the flags (`--profile prod status`) is
	// a shell command; an unknown word is refused with the closest command.
	name, rest := headless.Split(args)
	if name == "" {
		return app.Run(ctx, args, os.Stdout, os.Stderr)
	}
	// A closed pipe (`scan | head`) then fails the write with EPIPE, which the
	// commands treat as the reader being done (exit 0), instead of the
	// runtime killing the process with SIGPIPE (exit 141 under pipefail).
	signal.Ignore(syscall.SIGPIPE)
	return headless.Run(ctx, name, rest, headless.IO{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Terminal: isTerminal(os.Stdout),
	})
}

// isTerminal reports whether f is a terminal (a character device), which
// decides the shell commands' default output: a table for people, JSON for
// pipes and scripts.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
