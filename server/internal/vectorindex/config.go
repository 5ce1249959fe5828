package vectorindex

import "fmt"

// Distance selects the distance function of an index (PROTOCOL.md §4).
type Distance int

const (
	// Euclidean is sqrt(Σ(a-b)²).
	Euclidean Distance = iota + 1
	// Cosine is 1 - a·b/(|a||b|), and 1 when either norm is 0.
	Cosine
	// InnerProduct is -(a·b), so that a larger dot product ranks first.
	InnerProduct
)

// String names the distance the way the protocol's enum does, in lower case.
func (d Distance) String() string {
	switch d {
	case Euclidean:
		return "euclidean"
	case Cosine:
		return "cosine"
	case InnerProduct:
		return "inner_product"
	}
	return fmt.Sprintf("distance(%d)", int(d))
}

// Kind selects the index structure.
type Kind int

const (
	// BruteForce answers every search with an exact scan.
	BruteForce Kind = iota + 1
	// HNSW answers searches from a hierarchical navigable small-world graph.
	HNSW
)

// String names the kind of index.
func (k Kind) String() string {
	switch k {
	case BruteForce:
		return "brute_force"
	case HNSW:
		return "hnsw"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Limits and defaults.
const (
	// MaxDims is the largest dimension an index accepts (PROTOCOL.md §4).
	MaxDims = 4096
	// MaxK is the largest k a search accepts (PROTOCOL.md §4).
	MaxK = 1000
	// DefaultM is the default number of graph neighbours per node on upper
	// levels; level 0 keeps 2*M.
	DefaultM = 16
	// DefaultEfConstruction is the default candidate list size while inserting.
	DefaultEfConstruction = 200
	// DefaultEfSearch is the default candidate list size while searching
	// (raised to k when k is larger).
	DefaultEfSearch = 64
	// maxM bounds M so that neighbour lists stay small and snapshots sane.
	maxM = 256
	// maxEf bounds efConstruction and efSearch.
	maxEf = 100000
)

// Config describes an index. Zero M, EfConstruction and EfSearch mean the
// defaults; they are ignored by BruteForce indexes but kept in Config.
type Config struct {
	Dims           int
	Distance       Distance
	Kind           Kind
	M              int
	EfConstruction int
	EfSearch       int
	// Seed seeds the PRNG that draws HNSW levels. Replicas must use the same
	// seed to build the same graph.
	Seed uint64
}

// withDefaults returns cfg with zero parameters replaced by defaults and
// checks every field.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Dims < 1 || cfg.Dims > MaxDims {
		return cfg, fmt.Errorf("dimensions %d out of range: must be 1..%d: %w", cfg.Dims, MaxDims, ErrInvalidConfig)
	}
	switch cfg.Distance {
	case Euclidean, Cosine, InnerProduct:
	default:
		return cfg, fmt.Errorf("unknown distance %d: use Euclidean, Cosine or InnerProduct: %w", int(cfg.Distance), ErrInvalidConfig)
	}
	switch cfg.Kind {
	case BruteForce, HNSW:
	default:
		return cfg, fmt.Errorf("unknown index kind %d: use BruteForce or HNSW: %w", int(cfg.Kind), ErrInvalidConfig)
	}
	if cfg.M == 0 {
		cfg.M = DefaultM
	}
	if cfg.EfConstruction == 0 {
		cfg.EfConstruction = DefaultEfConstruction
	}
	if cfg.EfSearch == 0 {
		cfg.EfSearch = DefaultEfSearch
	}
	if cfg.M < 2 || cfg.M > maxM {
		return cfg, fmt.Errorf("parameter M %d out of range: must be 2..%d: %w", cfg.M, maxM, ErrInvalidConfig)
	}
	if cfg.EfConstruction < 1 || cfg.EfConstruction > maxEf {
		return cfg, fmt.Errorf("efConstruction %d out of range: must be 1..%d: %w", cfg.EfConstruction, maxEf, ErrInvalidConfig)
	}
	if cfg.EfSearch < 1 || cfg.EfSearch > maxEf {
		return cfg, fmt.Errorf("efSearch %d out of range: must be 1..%d: %w", cfg.EfSearch, maxEf, ErrInvalidConfig)
	}
	return cfg, nil
}
