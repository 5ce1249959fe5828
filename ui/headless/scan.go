package headless

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/views/keys"
)

// defaultPageSize is how many keys scan asks per page: large enough to be
// fast, small enough that a scan stopped by `| head` fetched little.
const defaultPageSize = 1000

func scanCommand() command {
	return command{
		name: "scan", summary: "list keys in order, streamed page by page",
		usage: help("scan [--prefix P] [--limit N] [--page-size N]",
			"List live keys in key order: key, size, version, TTL and shard. Keys are fetched\n"+
				"in pages and printed as they arrive (JSON lines with json), so a scan of a\n"+
				"large cluster starts at once and stops quietly when the reader goes away (| head).",
			"--prefix P        only keys starting with P",
			"--limit N         stop after N keys (default 0: all)",
			fmt.Sprintf("--page-size N     keys per request, 1..%d (default %d)", client.MaxScanLimit, defaultPageSize),
			"--consistency L   lease (default), linearizable or stale_ok"),
		flags: []flagSpec{{name: "prefix", value: true}, {name: "limit", value: true}, {name: "page-size", value: true}, {name: "consistency", value: true}},
		run:   runScan,
	}
}

// scanEntry is one key of a scan.
type scanEntry struct {
	Key       string `json:"key" yaml:"key"`
	Size      uint64 `json:"size" yaml:"size"`
	Version   string `json:"version" yaml:"version"`
	TTLMs     int64  `json:"ttl_ms,omitempty" yaml:"ttl_ms,omitempty"`
	ExpiresAt string `json:"expires_at,omitempty" yaml:"expires_at,omitempty"`
	Shard     int    `json:"shard" yaml:"shard"`
}

func runScan(x *exec, a *args) error {
	if len(a.pos) > 0 {
		return usagef("scan takes no arguments (got %q): use --prefix P to select keys", a.pos[0])
	}
	limit, err := intFlag(a, "limit", 0, 0, 1_000_000_000)
	if err != nil {
		return err
	}
	page, err := intFlag(a, "page-size", defaultPageSize, 1, client.MaxScanLimit)
	if err != nil {
		return err
	}
	opts := client.ScanOptions{Prefix: []byte(a.values["prefix"])}
	if v, ok := a.value("consistency"); ok {
		if opts.Consistency, err = parseConsistency(v); err != nil {
			return err
		}
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	if x.format == formatTable {
		fmt.Fprintf(x.out, "%-32s %10s %-12s %-10s %5s\n", "KEY", "SIZE", "VERSION", "TTL", "SHARD")
	}
	printed := 0
	for {
		opts.Limit = page
		if limit > 0 {
			opts.Limit = min(page, limit-printed)
		}
		ctx, cancel := x.requestCtx() // per page, as the console's Keys pane
		r, err := c.Scan(ctx, &opts)
		cancel()
		if err != nil {
			return err
		}
		for _, e := range r.Entries {
			if err := x.scanRow(e); err != nil {
				return err
			}
		}
		printed += len(r.Entries)
		// Flush per page: the reader sees keys as they come, and a closed
		// pipe (EPIPE) stops the scan before the next request.
		if err := x.out.Flush(); err != nil {
			return err
		}
		if r.Done || len(r.NextCursor) == 0 || (limit > 0 && printed >= limit) {
			return nil
		}
		opts.Cursor = r.NextCursor
	}
}

func (x *exec) scanRow(e client.KeyEntry) error {
	row := scanEntry{Key: keys.DisplayKey(e.Key), Size: e.Size, Version: fmtVersion(e.Version), Shard: e.Shard}
	if !e.ExpiresAt.IsZero() {
		row.TTLMs = max(0, time.Until(e.ExpiresAt).Milliseconds())
		row.ExpiresAt = e.ExpiresAt.UTC().Format(time.RFC3339)
	}
	switch x.format {
	case formatJSON:
		return json.NewEncoder(x.out).Encode(row)
	case formatYAML:
		b, err := yaml.Marshal([]scanEntry{row})
		if err != nil {
			return err
		}
		_, err = x.out.Write(b)
		return err
	}
	ttl := "-"
	if row.ExpiresAt != "" {
		ttl = (time.Duration(row.TTLMs) * time.Millisecond).Round(time.Second).String()
	}
	_, err := fmt.Fprintf(x.out, "%-32s %10d %-12s %-10s %5d\n", row.Key, row.Size, row.Version, ttl, row.Shard)
	return err
}

// intFlag reads an integer flag within [lo, hi], def when absent.
func intFlag(a *args, name string, def, lo, hi int) (int, error) {
	v, ok := a.value(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, usagef("--%s %q must be a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
