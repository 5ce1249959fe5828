package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/norikv/norikv-console/server/internal/topology"
)

// layoutMarker is the file in the data directory recording the shard and
// group counts it was created with. Shards map to groups by range, so a
// node restarted with other counts would open the old groups' logs as
// holding other shards: keys would be missing or served by the wrong
// group, with no error. The marker turns that into a refusal at start.
const layoutMarker = "layout"

// formatLayoutMarker renders the marker's one line.
func formatLayoutMarker(shards, groups int) string {
	return fmt.Sprintf("shards=%d groups=%d\n", shards, groups)
}

// checkDataDirLayout refuses to start on a data directory created with
// other shard or group counts than l's, and records them in a directory
// without a marker: a new one, or one from before the marker, whose
// counts are taken as given unless its group directories show otherwise
// (checkUnmarkedGroups).
func checkDataDirLayout(dir string, l topology.Layout) error {
	path := filepath.Join(dir, layoutMarker)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := checkUnmarkedGroups(dir, l); err != nil {
			return err
		}
		if werr := writeFileSynced(path, []byte(formatLayoutMarker(l.TotalShards, l.Groups))); werr != nil {
			return fmt.Errorf("record the shard layout in %s: %w", path, werr)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	shards, groups, err := parseLayoutMarker(path, b, l.TotalShards, l.Groups)
	if err != nil {
		return err
	}
	if shards != l.TotalShards || groups != l.Groups {
		return fmt.Errorf("data dir %s was created with --shards %d --groups %d, but this node was started with --shards %d --groups %d: "+
			"its data would be read as other shards' (keys missing or in the wrong group). Start every node with --shards %d --groups %d, or use an empty data dir",
			dir, shards, groups, l.TotalShards, l.Groups, shards, groups)
	}
	return nil
}

// parseLayoutMarker reads the marker's counts from its contents b; its
// error shows a valid line with the example counts.
func parseLayoutMarker(path string, b []byte, exShards, exGroups int) (shards, groups int, err error) {
	line := strings.TrimSpace(string(b))
	if n, serr := fmt.Sscanf(line, "shards=%d groups=%d", &shards, &groups); serr != nil || n != 2 ||
		formatLayoutMarker(shards, groups) != line+"\n" {
		return 0, 0, fmt.Errorf("%s is damaged (%q, expected a line like %q): restore it with the values this data dir was created with, or use an empty data dir",
			path, line, strings.TrimSpace(formatLayoutMarker(exShards, exGroups)))
	}
	return shards, groups, nil
}

// RecordedLayout returns the shard and group counts dir's layout marker
// records, with OK false when it has none (a new dir, one that does not
// exist yet, or one from before the marker). A node started without
// --shards or --groups takes them from here (StartCounts), so a data dir
// keeps the counts it was created with when the defaults change.
func RecordedLayout(dir string) (Recorded, error) {
	path := filepath.Join(dir, layoutMarker)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Recorded{}, nil
	}
	if err != nil {
		return Recorded{}, fmt.Errorf("read %s: %w", path, err)
	}
	shards, groups, err := parseLayoutMarker(path, b, topology.DefaultTotalShards, topology.DefaultGroups(topology.ReplicationFactor))
	if err != nil {
		return Recorded{}, err
	}
	return Recorded{Shards: shards, Groups: groups, OK: true}, nil
}

// checkUnmarkedGroups refuses l on a data dir from before the layout
// marker whose group directories (group-N, one per group the node
// replicates) show it was created with another group count: one holding
// group-N with N >= l.Groups, or, when every node replicates every group
// (at most ReplicationFactor nodes), one not holding exactly groups
// 0..l.Groups-1. Such dirs were made when the default was 16 groups; a
// node started on one without --groups now takes the default 6 and would
// read its groups' logs as other shards'. Its shard count cannot be seen
// and is taken as given, as before.
func checkUnmarkedGroups(dir string, l topology.Layout) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil // a new dir (node.Start made it); nothing to compare
	}
	highest := -1
	for _, e := range ents {
		num, ok := strings.CutPrefix(e.Name(), "group-")
		if g, err := strconv.Atoi(num); ok && err == nil && e.IsDir() && g > highest {
			highest = g
		}
	}
	if highest < 0 {
		return nil
	}
	exact := len(l.Nodes) <= topology.ReplicationFactor
	if highest < l.Groups && (!exact || highest == l.Groups-1) {
		return nil
	}
	held, use := fmt.Sprintf("at least %d groups", highest+1), fmt.Sprintf("the --groups it was created with (at least %d; 16 was the default until 2026-12-02)", highest+1)
	if exact {
		held, use = fmt.Sprintf("%d groups", highest+1), fmt.Sprintf("--groups %d", highest+1)
	}
	return fmt.Errorf("data dir %s was created before data dirs recorded their counts (no %s) and holds the Raft logs of %s, but this node was started with --groups %d: "+
		"its data would be read as other shards' (keys missing or in the wrong group). Start every node with %s and the --shards it was created with, or use an empty data dir",
		dir, layoutMarker, held, l.Groups, use)
}
