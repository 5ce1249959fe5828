package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// launchServe times 3 `serve` processes (fresh data dirs, loopback, the
// default --fsync) from launch until each has printed its `ready` line
// (every group it replicates has a leader).
func launchServe(ctx context.Context, bin string) (time.Duration, error) {
	trio, err := newTrio("startbench-serve-")
	if err != nil {
		return 0, err
	}
	defer trio.close()
	dir, ports := trio.dir, trio.ports
	var peers []string
	for i := 0; i < 3; i++ {
		peers = append(peers, fmt.Sprintf("n%d=127.0.0.1:%d/127.0.0.1:%d", i+1, ports[i], ports[3+i]))
	}
	ready := make(chan struct{}, 3)
	t0 := time.Now()
	for i := 0; i < 3; i++ {
		c := exec.Command(bin, "serve", "--id", fmt.Sprintf("n%d", i+1),
			"--addr", fmt.Sprintf("127.0.0.1:%d", ports[i]), "--raft-addr", fmt.Sprintf("127.0.0.1:%d", ports[3+i]),
			"--data-dir", filepath.Join(dir, fmt.Sprintf("n%d", i+1)), "--peers", strings.Join(peers, ","))
		out, err := c.StdoutPipe()
		if err != nil {
			return 0, err
		}
		if err := c.Start(); err != nil {
			return 0, fmt.Errorf("start serve: %w", err)
		}
		trio.cmds = append(trio.cmds, c)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "ready ") {
					ready <- struct{}{}
					break
				}
			}
			_, _ = io.Copy(io.Discard, out)
		}()
	}
	for i := 0; i < 3; i++ {
		select {
		case <-ready:
		case <-ctx.Done():
			return 0, fmt.Errorf("%d of 3 serve processes printed ready: %w", i, ctx.Err())
		}
	}
	return time.Since(t0), nil
}
