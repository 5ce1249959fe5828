package node

import (
	"fmt"
	"strings"

	"github.com/norikv/norikv-console/server/internal/topology"
)

// Recorded is what a data dir records of the counts it was created with
// (RecordedLayout); OK is false when it records none.
type Recorded struct {
	Shards, Groups int
	OK             bool
}

// StartCounts decides the shard and group counts a node (or an embedded
// cluster) of a cluster of nodes nodes starts with; shards or groups 0
// means not given on the command
// line. A count given is used as given: a data dir that recorded another
// one is then refused at start (checkDataDirLayout). A count not given is
// the recorded one when the data dir has a record and every count given
// agrees with it, so a data dir created before a default changed keeps
// its counts; otherwise it is the default (topology.DefaultGroups(nodes),
// at most the shards).
//
// kept names the recorded counts taken that differ from the defaults (as
// flags, "--groups 16"), "" when there are none: the caller says so once.
func StartCounts(shards, groups, nodes int, rec Recorded) (s, g int, kept string) {
	adopt := rec.OK && (shards == 0 || shards == rec.Shards) && (groups == 0 || groups == rec.Groups)
	var took []string
	s, g = shards, groups
	if s == 0 {
		s = topology.DefaultTotalShards
		if adopt {
			s = rec.Shards
			if s != topology.DefaultTotalShards {
				took = append(took, fmt.Sprintf("--shards %d", s))
			}
		}
	}
	if g == 0 {
		g = min(topology.DefaultGroups(nodes), s)
		if adopt {
			g = rec.Groups
			if g != min(topology.DefaultGroups(nodes), s) {
				took = append(took, fmt.Sprintf("--groups %d", g))
			}
		}
	}
	return s, g, strings.Join(took, " ")
}

// KeptCountsNote is the line a node logs when StartCounts kept a data
// dir's recorded counts (kept) instead of the defaults of a cluster of
// nodes nodes.
func KeptCountsNote(id, dir, kept string, nodes int) string {
	dg := topology.DefaultGroups(nodes)
	them, defaults := "it", fmt.Sprintf("--groups %d (one per node)", dg)
	if strings.Contains(kept, "--shards") {
		defaults = fmt.Sprintf("--shards %d", topology.DefaultTotalShards)
		if strings.Contains(kept, "--groups") {
			them, defaults = "them", fmt.Sprintf("--shards %d --groups %d (one group per node)", topology.DefaultTotalShards, dg)
		}
	}
	return fmt.Sprintf("%s: data dir %s was created with %s; keeping %s (the default %s is for new data dirs; a data dir keeps the counts it was created with)",
		id, dir, kept, them, defaults)
}
