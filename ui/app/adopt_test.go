package app

import "testing"

// The console's client follows the cluster's shard count unless the user
// set one (--shards, a profile's total_shards).
func TestClientAdoptsTheShardCountUnlessSet(t *testing.T) {
	for from, want := range map[string]bool{"": true, "the cluster": true, "--shards": false, `profile "p"'s total_shards`: false} {
		cfg, err := ClientConfig(Settings{Nodes: []string{"127.0.0.1:1"}, TotalShards: 64, ShardsFrom: from})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.AdoptShardCount != want {
			t.Errorf("shards from %q: AdoptShardCount %v, want %v", from, cfg.AdoptShardCount, want)
		}
	}
}
