package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/datagen"
	"github.com/norikv/norikv-console/ui"
)

// Sample data: a few keys (some with a TTL), a tiny vector index, and one
// of realistic shape for the vectors pane: clustered points near a
// low-dimensional subspace, like embeddings, so HNSW recall and latency
// mean something.
const (
	tinyNS        = "demo-embeddings"
	clusteredNS   = "demo-clustered"
	clusteredN    = 2000
	clusteredDims = 32
	// seedBatch is how many vectors go in per bulk call between progress
	// reports.
	seedBatch = 250
)

type sampleKV struct {
	key, value string
	ttl        time.Duration
}

func sampleKeys() []sampleKV {
	return []sampleKV{
		{"user:1", `{"name":"Ada Lovelace","role":"admin"}`, 0},
		{"user:2", `{"name":"Alan Turing","role":"dev"}`, 0},
		{"user:3", `{"name":"Grace Hopper","role":"dev"}`, 0},
		{"config:feature-flags", `{"dark_mode":true,"beta_search":false}`, 0},
		{"counter:visits", "42", 0},
		{"session:7f3a9c", `{"user":"user:1"}`, 30 * time.Minute},
		{"cache:homepage", "<html>…</html>", 5 * time.Minute},
		{"lock:nightly-report", "worker-2", 90 * time.Second},
	}
}

func tinyDocs() map[string][]float32 {
	return map[string][]float32{
		"doc:cats": {0.9, 0.1, 0.0, 0.2}, "doc:dogs": {0.8, 0.2, 0.1, 0.1},
		"doc:stocks": {0.1, 0.9, 0.3, 0.0}, "doc:bonds": {0.0, 0.8, 0.4, 0.1},
		"doc:rust": {0.1, 0.1, 0.9, 0.6}, "doc:golang": {0.2, 0.0, 0.8, 0.7},
	}
}

// SeedData writes the sample data within ctx, reporting progress (progress
// may be nil). Every write is an upsert, so running it again completes a
// partial seed. The report lists what is missing, with why.
func SeedData(ctx context.Context, c *client.Client, progress func(ui.SeedProgress)) ui.SeedReport {
	report := func(step string, done, total int) {
		if progress != nil {
			progress(ui.SeedProgress{Step: step, Done: done, Total: total})
		}
	}
	var loaded, missing []string
	keys := sampleKeys()
	okKeys := 0
	var keyErr error
	for i, s := range keys {
		report("sample keys", i, len(keys))
		if _, err := c.Put(ctx, []byte(s.key), []byte(s.value), &client.PutOptions{TTL: s.ttl}); err != nil {
			keyErr = fmt.Errorf("put %s: %w", s.key, err)
			continue
		}
		okKeys++
	}
	loaded = append(loaded, fmt.Sprintf("%d sample keys (3 with a TTL)", okKeys))
	if keyErr != nil {
		missing = append(missing, fmt.Sprintf("%d of %d sample keys (%v)", len(keys)-okKeys, len(keys), keyErr))
	}

	_, err := c.VectorCreateIndex(ctx, tinyNS, 4, client.DistanceCosine, client.IndexHNSW, nil)
	if errors.Is(err, client.ErrUnsupported) {
		loaded = append(loaded, "vectors skipped (the server does not support them)")
		return ui.SeedReport{Loaded: strings.Join(loaded, ", "), Missing: missing}
	}
	if err != nil {
		missing = append(missing, fmt.Sprintf("vector index %s (%v)", tinyNS, err))
	} else {
		n := 0
		docs := tinyDocs()
		for id, v := range docs {
			report("vectors into "+tinyNS, n, len(docs))
			if _, err := c.VectorInsert(ctx, tinyNS, id, v, nil); err != nil {
				missing = append(missing, fmt.Sprintf("%d of %d vectors in %s (%v)", len(docs)-n, len(docs), tinyNS, err))
				break
			}
			n++
		}
		if n == len(docs) {
			loaded = append(loaded, fmt.Sprintf("%s (%d vectors)", tinyNS, n))
		}
	}

	n, err := seedClustered(ctx, c, func(done int) { report("vectors into "+clusteredNS, done, clusteredN) })
	if err != nil {
		missing = append(missing, fmt.Sprintf("%d of %d vectors in %s (%v)", clusteredN-n, clusteredN, clusteredNS, err))
	} else {
		loaded = append(loaded, fmt.Sprintf("%s (%d)", clusteredNS, n))
	}
	return ui.SeedReport{Loaded: strings.Join(loaded, ", "), Missing: missing}
}

// seedClustered loads clusteredN vectors in batches, reporting after each.
func seedClustered(ctx context.Context, c *client.Client, progress func(done int)) (int, error) {
	if _, err := c.VectorCreateIndex(ctx, clusteredNS, clusteredDims, client.DistanceEuclidean, client.IndexHNSW, nil); err != nil {
		return 0, fmt.Errorf("index not created: %w", err)
	}
	set := datagen.Generate(datagen.Spec{N: clusteredN, Dims: clusteredDims, Clusters: 20, Seed: 7})
	items := make([]client.VectorItem, clusteredN)
	for i := range items {
		items[i] = client.VectorItem{ID: fmt.Sprintf("pt:%04d", i), Vector: set.Row(set.Base, i)}
	}
	done := 0
	for done < len(items) {
		progress(done)
		end := min(len(items), done+seedBatch)
		n, err := c.VectorInsertMany(ctx, clusteredNS, items[done:end], 0)
		done += n
		if err != nil {
			return done, err
		}
	}
	progress(done)
	return done, nil
}
