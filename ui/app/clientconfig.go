package app

import (
	"time"

	"github.com/norikv/norikv-console/client"
)

// ClientConfig returns the client configuration for settings that name a
// cluster: seeds, shards, timeout and the profile's TLS. The headless shell
// commands use it so they reach a cluster exactly as the console does.
func ClientConfig(s Settings) (client.Config, error) {
	// Without --shards or a profile's total_shards the count is the
	// cluster's, also when it changes under a running console.
	adopt := s.ShardsFrom == "" || s.ShardsFrom == "the cluster"
	cfg := client.Config{Nodes: s.Nodes, TotalShards: s.TotalShards, AdoptShardCount: adopt, Timeout: AttemptTimeout(s.Timeout)}
	if s.TLS != nil {
		tc, err := buildTLS(s.TLS)
		if err != nil {
			return client.Config{}, err
		}
		cfg.TLS = tc
	}
	return cfg, nil
}

// AttemptTimeout is the client's per-attempt timeout for a profile's
// per-request timeout: two fifths of it (2 s of the default 5 s), and never
// under a second unless the request's is. The console bounds each request
// by the profile's timeout; with attempts as long as that, an attempt on a
// hung leader (SIGSTOP, a dead machine whose connection stays open) used
// the whole request and the console showed "deadline exceeded" although the
// cluster had a new leader a second later. A shorter attempt leaves the
// client time to mark the node suspect and ask the new leader.
func AttemptTimeout(request time.Duration) time.Duration {
	if request <= 0 {
		return 0 // the client's default
	}
	return max(request*2/5, min(request, time.Second))
}
