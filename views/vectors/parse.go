package vectors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/norikv/norikv-console/client"
)

// Limits from PROTOCOL.md §4, checked here so bad input gets a clear error
// before any network call.
const (
	MaxK          = 1000
	MaxDimensions = 4096
	MaxEf         = 100000
	// RecallEf is the HNSW ef of the reference search of a recall check.
	RecallEf = 1000
)

// ParseVector reads a query vector typed as numbers separated by commas
// and/or spaces, optionally wrapped in [ ] (so a pasted JSON array works).
// dims > 0 requires exactly that many values.
func ParseVector(s string, dims int) ([]float32, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == ';' })
	if len(fields) == 0 {
		return nil, fmt.Errorf("the query vector is empty: type numbers separated by commas or spaces, e.g. 0.1, 0.2, 0.3")
	}
	out := make([]float32, 0, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 32)
		if err != nil {
			return nil, fmt.Errorf("value %d %q is not a number: use digits like 0.25 or -1e-3", i+1, f)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("value %d %q is not finite: NaN and Inf are refused by the server", i+1, f)
		}
		out = append(out, float32(v))
	}
	if dims > 0 && len(out) != dims {
		return nil, fmt.Errorf("the query has %d values but the index has %d dimensions: type exactly %d numbers", len(out), dims, dims)
	}
	return out, nil
}

// ParseK reads k, the number of neighbours asked for (1..1000).
func ParseK(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("k is empty: type how many neighbours to return (1..%d)", MaxK)
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < 1 || k > MaxK {
		return 0, fmt.Errorf("k %q must be a whole number from 1 to %d", s, MaxK)
	}
	return k, nil
}

// ParseEf reads the HNSW search ef; empty or 0 means the index's default.
func ParseEf(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	ef, err := strconv.Atoi(s)
	if err != nil || ef < 0 || ef > MaxEf {
		return 0, fmt.Errorf("ef %q must be a whole number from 1 to %d, or empty for the index default", s, MaxEf)
	}
	return ef, nil
}

// ParseInsert reads "ID VALUES" (values as in ParseVector) or "ID random".
func ParseInsert(arg string, dims int, rng *rand.Rand) (string, []float32, error) {
	arg = strings.TrimSpace(arg)
	id, rest := arg, ""
	if i := strings.IndexAny(arg, " \t"); i >= 0 {
		id, rest = arg[:i], strings.TrimSpace(arg[i+1:])
	}
	if id == "" || rest == "" {
		return "", nil, fmt.Errorf("type an id and its values, e.g. \"doc-1 0.1 0.2 0.3\", or \"doc-1 random\" (got %q)", arg)
	}
	if len(id) > 512 {
		return "", nil, fmt.Errorf("vector id is %d bytes: ids must be 1..512 bytes", len(id))
	}
	if strings.EqualFold(rest, "random") {
		if dims <= 0 {
			return "", nil, fmt.Errorf("a random vector needs the index's dimensions, which this server does not list: type the values")
		}
		return id, RandomVector(rng, dims), nil
	}
	v, err := ParseVector(rest, dims)
	if err != nil {
		return "", nil, err
	}
	return id, v, nil
}

// CreateSpec is a parsed "create index" request.
type CreateSpec struct {
	Namespace string
	Dims      int
	Distance  client.DistanceFunction
	Type      client.VectorIndexType
	Opts      client.CreateVectorIndexOptions
}

// createUsage is the example shown with every create error.
const createUsage = `type NAME DIMS DISTANCE [hnsw|brute_force] [m=16 efc=200 ef=64], e.g. "docs 128 cosine hnsw m=16"`

// ParseCreate reads "NAME DIMS DISTANCE [TYPE] [m=N] [efc=N] [ef=N]".
func ParseCreate(arg string) (CreateSpec, error) {
	f := strings.Fields(arg)
	if len(f) < 3 {
		return CreateSpec{}, fmt.Errorf("%s (got %q)", createUsage, arg)
	}
	spec := CreateSpec{Namespace: f[0], Type: client.IndexHNSW}
	if len(spec.Namespace) > 256 {
		return CreateSpec{}, fmt.Errorf("namespace is %d bytes: namespaces must be 1..256 bytes", len(spec.Namespace))
	}
	d, err := strconv.Atoi(f[1])
	if err != nil || d < 1 || d > MaxDimensions {
		return CreateSpec{}, fmt.Errorf("dimensions %q must be a whole number from 1 to %d: %s", f[1], MaxDimensions, createUsage)
	}
	spec.Dims = d
	if spec.Distance, err = ParseDistance(f[2]); err != nil {
		return CreateSpec{}, err
	}
	for _, opt := range f[3:] {
		name, val, isKV := strings.Cut(strings.ToLower(opt), "=")
		if !isKV {
			if spec.Type, err = ParseIndexType(opt); err != nil {
				return CreateSpec{}, err
			}
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > MaxEf {
			return CreateSpec{}, fmt.Errorf("%s=%q must be a whole number from 1 to %d", name, val, MaxEf)
		}
		switch name {
		case "m":
			spec.Opts.M = n
		case "efc", "ef_construction", "efconstruction":
			spec.Opts.EfConstruction = n
		case "ef", "ef_search", "efsearch":
			spec.Opts.EfSearch = n
		default:
			return CreateSpec{}, fmt.Errorf("unknown option %q: use m=, efc= or ef= (HNSW parameters)", opt)
		}
	}
	if spec.Type == client.IndexBruteForce && spec.Opts != (client.CreateVectorIndexOptions{}) {
		return CreateSpec{}, fmt.Errorf("m, efc and ef tune HNSW only: drop them for a brute_force index")
	}
	return spec, nil
}

// ParseDistance reads a distance function name.
func ParseDistance(s string) (client.DistanceFunction, error) {
	switch strings.ToLower(s) {
	case "euclidean", "l2", "euclid":
		return client.DistanceEuclidean, nil
	case "cosine", "cos":
		return client.DistanceCosine, nil
	case "inner_product", "ip", "dot", "inner-product":
		return client.DistanceInnerProduct, nil
	}
	return client.DistanceUnspecified, fmt.Errorf("unknown distance %q: use euclidean, cosine or inner_product", s)
}

// ParseIndexType reads an index type name.
func ParseIndexType(s string) (client.VectorIndexType, error) {
	switch strings.ToLower(s) {
	case "hnsw":
		return client.IndexHNSW, nil
	case "brute_force", "brute-force", "brute", "flat", "exact":
		return client.IndexBruteForce, nil
	}
	return client.IndexUnspecified, fmt.Errorf("unknown index type %q: use hnsw or brute_force", s)
}

// RandomVector returns dims values uniform in [-1, 1).
func RandomVector(rng *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(rng.Float64()*2 - 1)
	}
	return v
}

// FormatValues renders values in full, comma separated, as ParseVector reads
// them back.
func FormatValues(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return strings.Join(parts, ", ")
}

// FormatVector renders values compactly, keeping at most width columns
// ("[0.12 -0.5 0.33 …]").
func FormatVector(v []float32, width int) string {
	if len(v) == 0 {
		return "[]"
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		s := strconv.FormatFloat(float64(x), 'g', 3, 32)
		if i > 0 {
			s = " " + s
		}
		if width > 0 && b.Len()+len(s)+3 > width && i < len(v) {
			b.WriteString(" …")
			break
		}
		b.WriteString(s)
	}
	b.WriteByte(']')
	return b.String()
}

// HumanBytes renders a byte count with binary units: "512B", "4.0KiB", "5.1MiB".
func HumanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := uint64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Overlap returns how many ids of got appear in want, and the size of want:
// recall@k of got against the reference want.
func Overlap(got, want []client.VectorMatch) (hit, total int) {
	ref := make(map[string]bool, len(want))
	for _, m := range want {
		ref[m.ID] = true
	}
	for _, m := range got {
		if ref[m.ID] {
			hit++
			delete(ref, m.ID)
		}
	}
	return hit, len(want)
}
