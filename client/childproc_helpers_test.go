//go:build unix

package client_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/server/cluster"
)

// startClientChild starts a 3-node cluster of 64 shards in 2 groups and
// runs this test binary again as a child process that runs only the test
// child, with env set to the cluster's addresses (comma separated). It
// returns the child and its stdout lines (the channel closes when the
// child ends); the child is killed and the cluster closed when the test
// ends.
func startClientChild(t *testing.T, ctx context.Context, child, env string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 2})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { closeCluster(t, cl) })

	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+strings.Join(cl.Addrs(), ","))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 4096)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return cmd, lines
}
