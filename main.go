// Command norikv-console is a terminal console for NoriKV clusters. With no
// cluster configured it starts an embedded 3-node cluster; `devcluster` and
// `serve` run the server without the console.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/norikv/norikv-console/ui/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	return app.Run(ctx, args, os.Stdout, os.Stderr)
}
