package headless

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/views/vectors"
)

func indexCommand() command {
	return command{
		name: "index", summary: "list, create or drop vector indexes",
		usage: help("index list | index create NS DIMS DISTANCE [hnsw|brute_force] [--m N] [--ef-construction N] [--ef-search N] | index drop NS",
			"list    every vector index: dimensions, distance, type, vectors, memory, shard\n"+
				"create  a vector index on namespace NS; DISTANCE is euclidean, cosine or\n"+
				"        inner_product; the type defaults to hnsw\n"+
				"drop    the index on NS and its vectors (exit 3 if there is none)",
			"--m N                HNSW graph degree (create; default: the server's)",
			"--ef-construction N  HNSW build candidate list (create)",
			"--ef-search N        HNSW default search candidate list (create)"),
		flags: []flagSpec{{name: "m", value: true}, {name: "ef-construction", value: true}, {name: "ef-search", value: true}},
		run:   runIndex,
	}
}

// indexInfo is one vector index in index list.
type indexInfo struct {
	Namespace  string `json:"namespace" yaml:"namespace"`
	Dimensions int    `json:"dimensions" yaml:"dimensions"`
	Distance   string `json:"distance" yaml:"distance"`
	Type       string `json:"type" yaml:"type"`
	Vectors    uint64 `json:"vectors" yaml:"vectors"`
	Bytes      uint64 `json:"bytes" yaml:"bytes"`
	Shard      int    `json:"shard" yaml:"shard"`
}

type indexList struct {
	Indexes []indexInfo `json:"indexes" yaml:"indexes"`
}

func (l *indexList) table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tDIMS\tDISTANCE\tTYPE\tVECTORS\tMEMORY\tSHARD")
	for _, ix := range l.Indexes {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\t%d\n", ix.Namespace, ix.Dimensions, ix.Distance, ix.Type, ix.Vectors, vectors.HumanBytes(ix.Bytes), ix.Shard)
	}
	return tw.Flush()
}

// indexChange is the answer of index create and index drop.
type indexChange struct {
	Namespace string `json:"namespace" yaml:"namespace"`
	Created   *bool  `json:"created,omitempty" yaml:"created,omitempty"`
	Dropped   *bool  `json:"dropped,omitempty" yaml:"dropped,omitempty"`
}

func (r *indexChange) table(w io.Writer) error {
	switch {
	case r.Created != nil && *r.Created:
		_, err := fmt.Fprintf(w, "created index %s\n", r.Namespace)
		return err
	case r.Created != nil:
		_, err := fmt.Fprintf(w, "index %s already exists with this definition\n", r.Namespace)
		return err
	}
	_, err := fmt.Fprintf(w, "dropped index %s\n", r.Namespace)
	return err
}

func runIndex(x *exec, a *args) error {
	if len(a.pos) == 0 {
		return usagef("index needs a subcommand: list, create or drop (see norikv-console index --help)")
	}
	sub, rest := a.pos[0], a.pos[1:]
	switch sub {
	case "list", "ls":
		if len(rest) > 0 {
			return usagef("index list takes no arguments (got %q)", rest[0])
		}
		return runIndexList(x)
	case "create":
		return runIndexCreate(x, a, rest)
	case "drop":
		if len(rest) != 1 {
			return usagef("index drop takes one namespace (got %d arguments)", len(rest))
		}
		if err := x.writable(); err != nil {
			return err
		}
		c, err := x.client()
		if err != nil {
			return err
		}
		dropped, err := c.VectorDropIndex(x.request(), rest[0], nil)
		if err != nil {
			return err
		}
		if !dropped {
			return fmt.Errorf("index %s %w: nothing dropped", rest[0], errNotFound)
		}
		return x.emit(&indexChange{Namespace: rest[0], Dropped: ptr(true)})
	}
	hint := ""
	if best := closest(sub, []string{"list", "create", "drop"}); best != "" {
		hint = fmt.Sprintf(": did you mean %q?", best)
	}
	return usagef("unknown index subcommand %q%s (use list, create or drop)", sub, hint)
}

func runIndexList(x *exec) error {
	c, err := x.client()
	if err != nil {
		return err
	}
	list, err := c.ListVectorIndexes(x.request())
	if err != nil {
		return err
	}
	out := &indexList{Indexes: []indexInfo{}}
	for _, ix := range list {
		out.Indexes = append(out.Indexes, indexInfo{Namespace: ix.Namespace, Dimensions: ix.Dimensions, Distance: ix.Distance.String(),
			Type: ix.IndexType.String(), Vectors: ix.Count, Bytes: ix.Bytes, Shard: ix.Shard})
	}
	return x.emit(out)
}

func runIndexCreate(x *exec, a *args, rest []string) error {
	spec := strings.Join(rest, " ")
	for flag, opt := range map[string]string{"m": "m", "ef-construction": "efc", "ef-search": "ef"} {
		if v, ok := a.value(flag); ok {
			spec += " " + opt + "=" + v
		}
	}
	cs, err := vectors.ParseCreate(spec)
	if err != nil {
		return usagef("index create: %v", strings.Replace(err.Error(), "type NAME", "give NS", 1))
	}
	if err := x.writable(); err != nil {
		return err
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	created, err := c.VectorCreateIndex(x.request(), cs.Namespace, cs.Dims, cs.Distance, cs.Type, &cs.Opts)
	if err != nil {
		return err
	}
	return x.emit(&indexChange{Namespace: cs.Namespace, Created: &created})
}

func insertCommand() command {
	return command{
		name: "insert", summary: "insert (or replace) a vector",
		usage: help("insert NS ID VECTOR|-",
			"Insert vector ID into the index on NS, replacing it if it exists. VECTOR is\n"+
				"numbers separated by commas or spaces (a JSON array works; quote it, or pass\n"+
				"the numbers as separate arguments); - reads it from stdin."),
		run: runInsert,
	}
}

// vectorWrite is the answer of insert.
type vectorWrite struct {
	Namespace string `json:"namespace" yaml:"namespace"`
	ID        string `json:"id" yaml:"id"`
	Version   string `json:"version" yaml:"version"`
}

func (r *vectorWrite) table(w io.Writer) error {
	_, err := fmt.Fprintf(w, "inserted %s into %s, version %s\n", r.ID, r.Namespace, r.Version)
	return err
}

func runInsert(x *exec, a *args) error {
	if len(a.pos) < 3 {
		return usagef("insert takes NS ID VECTOR (or - for stdin), e.g. insert docs doc-1 0.1,0.2,0.3 (got %d arguments)", len(a.pos))
	}
	ns, id := a.pos[0], a.pos[1]
	vec, err := x.vectorArg(a.pos[2:])
	if err != nil {
		return err
	}
	if err := x.writable(); err != nil {
		return err
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	v, err := c.VectorInsert(x.request(), ns, id, vec, nil)
	if err != nil {
		return err
	}
	return x.emit(&vectorWrite{Namespace: ns, ID: id, Version: fmtVersion(v)})
}

// vectorArg reads a vector from arguments, or stdin with "-".
func (x *exec) vectorArg(parts []string) ([]float32, error) {
	text := strings.Join(parts, " ")
	if len(parts) == 1 && parts[0] == "-" {
		b, err := io.ReadAll(x.stdin)
		if err != nil {
			return nil, fmt.Errorf("read the vector from stdin: %w", err)
		}
		text = string(b)
	}
	v, err := vectors.ParseVector(text, 0)
	if err != nil {
		return nil, &usageError{msg: "vector: " + err.Error()}
	}
	return v, nil
}

func searchCommand() command {
	return command{
		name: "search", summary: "nearest neighbours of a vector or a stored id",
		usage: help("search NS VECTOR|- [-k 10] [--exact] [--ef N]   or   search NS --id ID [-k 10]",
			"Find the k nearest vectors to VECTOR (numbers separated by commas or spaces; - reads\n"+
				"stdin) or to the stored vector ID, in the index on NS. Prints rank, id, distance.",
			"--id ID           search with the stored vector ID (it is in its own results)",
			"-k N              how many neighbours, 1..1000 (default 10)",
			"--exact           scan every vector (the exact answer) instead of the HNSW graph",
			"--ef N            HNSW candidate list for this query (default: the index's)",
			"--consistency L   lease (default), linearizable or stale_ok"),
		flags: []flagSpec{{name: "id", value: true}, {name: "k", value: true}, {name: "exact"}, {name: "ef", value: true}, {name: "consistency", value: true}},
		run:   runSearch,
	}
}

// searchResult is the answer of search.
type searchResult struct {
	Namespace    string        `json:"namespace" yaml:"namespace"`
	Exact        bool          `json:"exact" yaml:"exact"`
	SearchTimeUs uint64        `json:"search_time_us" yaml:"search_time_us"`
	Matches      []searchMatch `json:"matches" yaml:"matches"`
}

type searchMatch struct {
	Rank     int     `json:"rank" yaml:"rank"`
	ID       string  `json:"id" yaml:"id"`
	Distance float32 `json:"distance" yaml:"distance"`
}

func (r *searchResult) table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tID\tDISTANCE")
	for _, m := range r.Matches {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Rank, m.ID, strconv.FormatFloat(float64(m.Distance), 'f', 4, 32))
	}
	return tw.Flush()
}

func runSearch(x *exec, a *args) error {
	if len(a.pos) == 0 {
		return usagef("search takes NS and a VECTOR (or --id ID), e.g. search docs 0.1,0.2,0.3 -k 5")
	}
	ns := a.pos[0]
	id, byID := a.value("id")
	if byID == (len(a.pos) > 1) {
		return usagef("search takes either a VECTOR after NS or --id ID, exactly one of them")
	}
	k, err := intFlag(a, "k", 10, 1, vectors.MaxK)
	if err != nil {
		return err
	}
	ef, err := intFlag(a, "ef", 0, 0, vectors.MaxEf)
	if err != nil {
		return err
	}
	opts := client.VectorSearchOptions{Exact: a.bools["exact"], Ef: ef}
	if v, ok := a.value("consistency"); ok {
		if opts.Consistency, err = parseConsistency(v); err != nil {
			return err
		}
	}
	var query []float32
	if !byID {
		if query, err = x.vectorArg(a.pos[1:]); err != nil {
			return err
		}
	}
	c, err := x.client()
	if err != nil {
		return err
	}
	if byID {
		if query, err = c.VectorGet(x.request(), ns, id); err != nil {
			return fmt.Errorf("vector %s in %s: %w", id, ns, err)
		}
		if query == nil {
			return fmt.Errorf("vector %s %w in %s (insert it first, or search with a VECTOR)", id, errNotFound, ns)
		}
	}
	r, err := c.VectorSearch(x.request(), ns, query, k, &opts)
	if err != nil {
		return err
	}
	out := &searchResult{Namespace: ns, Exact: r.Exact, SearchTimeUs: r.SearchTimeUs, Matches: []searchMatch{}}
	for i, m := range r.Matches {
		out.Matches = append(out.Matches, searchMatch{Rank: i + 1, ID: m.ID, Distance: m.Distance})
	}
	return x.emit(out)
}
