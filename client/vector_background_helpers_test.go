package client

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
)

// startClusterWithMetrics starts the embedded 3-node dev cluster with
// /metrics served on three consecutive loopback ports, so a test can read
// every replica's norikv_vector_index_pending. It returns the cluster and
// the metrics base port.
func startClusterWithMetrics(ctx context.Context) (*cluster.Cluster, int, error) {
	var lastErr error
	for range 20 {
		base := 20000 + rand.IntN(40000)
		if !portsFree(base, 3) {
			continue
		}
		cl, err := cluster.Start(ctx, cluster.Options{HTTPBasePort: base})
		if err == nil {
			return cl, base, nil
		}
		lastErr = err
	}
	return nil, 0, fmt.Errorf("start cluster with metrics ports: %v", lastErr)
}

func portsFree(base, n int) bool {
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
		if err != nil {
			return false
		}
		_ = ln.Close()
	}
	return true
}

// pendingVectors returns the sum over the nodes of norikv_vector_index_pending
// for namespace ns (writes acknowledged but not yet in an HNSW graph).
func pendingVectors(ctx context.Context, base, nodes int, ns string) (int, error) {
	want := `namespace="` + ns + `"`
	total, _, err := sumMetric(ctx, base, nodes, func(line string) bool {
		return strings.HasPrefix(line, "norikv_vector_index_pending{") && strings.Contains(line, want)
	})
	return total, err
}

// sumMetric sums the value (last field) of every line of the nodes'
// /metrics (HTTP ports base..base+nodes-1) that match accepts; seen counts
// the nodes with at least one such line.
func sumMetric(ctx context.Context, base, nodes int, match func(line string) bool) (total, seen int, err error) {
	for i := range nodes {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(base+i)+"/metrics", nil)
		if err != nil {
			return 0, 0, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, 0, err
		}
		found := false
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !match(line) {
				continue
			}
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err != nil {
				_ = resp.Body.Close()
				return 0, 0, fmt.Errorf("metrics line %q: %w", line, err)
			}
			total += int(v)
			found = true
		}
		_ = resp.Body.Close()
		if err := sc.Err(); err != nil {
			return 0, 0, err
		}
		if found {
			seen++
		}
	}
	return total, seen, nil
}

// waitIndexed polls until no replica has a pending write for ns. It polls
// every 50 ms: a scrape of three nodes costs CPU the indexers need (at
// 10 ms the benchmark's indexed rate read lower).
func waitIndexed(ctx context.Context, base, nodes int, ns string) error {
	for {
		n, err := pendingVectors(ctx, base, nodes, ns)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d writes still pending: %w", n, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
