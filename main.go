// Command norikv-console is a terminal console for NoriKV clusters. With no
// cluster configured it starts an embedded 3-node cluster; `devcluster` and
// `serve` run the server without the console.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/norikv/norikv-console/server/cli"
	"github.com/norikv/norikv-console/ui/app"
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
			return cli.Devcluster(ctx, args[1:], os.Stdout, os.Stderr)
		case "serve":
			return cli.Serve(ctx, args[1:], os.Stdout, os.Stderr)
		}
	}
	return app.Run(ctx, args, os.Stdout, os.Stderr)
}
