package app

import "github.com/norikv/norikv-console/client"

// ClientConfig returns the client configuration for settings that name a
// cluster: seeds, shards, timeout and the profile's TLS. The headless shell
// commands use it so they reach a cluster exactly as the console does.
func ClientConfig(s Settings) (client.Config, error) {
	cfg := client.Config{Nodes: s.Nodes, TotalShards: s.TotalShards, Timeout: s.Timeout}
	if s.TLS != nil {
		tc, err := buildTLS(s.TLS)
		if err != nil {
			return client.Config{}, err
		}
		cfg.TLS = tc
	}
	return cfg, nil
}
