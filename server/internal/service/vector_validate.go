package service

import (
	"context"
	"math"
	"strconv"

	"google.golang.org/grpc/metadata"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

// Vector limits from PROTOCOL.md §4.
const (
	MaxNamespaceBytes = 256
	MaxVectorIDBytes  = vectorindex.MaxIDBytes
	MaxDimensions     = vectorindex.MaxDims
	MaxK              = vectorindex.MaxK
	// maxHNSWM and maxHNSWEf bound the tuning metadata.
	maxHNSWM  = 256
	maxHNSWEf = 100000
)

// HNSW tuning metadata keys (the client sends them; other servers ignore them).
const (
	MetaHNSWM              = "x-norikv-hnsw-m"
	MetaHNSWEfConstruction = "x-norikv-hnsw-ef-construction"
	MetaHNSWEfSearch       = "x-norikv-hnsw-ef-search"
	MetaHNSWEf             = "x-norikv-hnsw-ef"
	// MetaExact ("true") asks Search for an exact scan whatever the index
	// kind; the reply header echoes it when the scan was exact, so a
	// caller can tell a server that ignored it.
	MetaExact = "x-norikv-exact"
)

// metaBool reads a boolean flag from the request metadata ("true"/"1").
func metaBool(ctx context.Context, key string) (bool, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get(key)
	if len(vals) == 0 {
		return false, nil
	}
	v, err := strconv.ParseBool(vals[len(vals)-1])
	if err != nil {
		return false, invalid("metadata %s=%q: must be true or false", key, vals[len(vals)-1])
	}
	return v, nil
}

func checkNamespace(ns string) error {
	switch {
	case len(ns) == 0:
		return invalid("namespace is empty: namespaces must be 1..%d bytes", MaxNamespaceBytes)
	case len(ns) > MaxNamespaceBytes:
		return invalid("namespace is %d bytes, over the namespace limit of %d bytes", len(ns), MaxNamespaceBytes)
	}
	return nil
}

func checkVectorID(id string) error {
	switch {
	case len(id) == 0:
		return invalid("vector id is empty: vector ids must be 1..%d bytes", MaxVectorIDBytes)
	case len(id) > MaxVectorIDBytes:
		return invalid("vector id is %d bytes, over the vector id limit of %d bytes", len(id), MaxVectorIDBytes)
	}
	return nil
}

func checkDimensions(d uint32) error {
	if d < 1 || d > MaxDimensions {
		return invalid("dimensions %d out of range: the dimensions limit is 1..%d", d, MaxDimensions)
	}
	return nil
}

// checkFloats checks a vector's length against the dimension limit and its
// values for NaN and Inf; what names it in messages ("vector", "query").
func checkFloats(what string, v []float32) error {
	if len(v) == 0 {
		return invalid("%s is empty: give one value per index dimension", what)
	}
	if len(v) > MaxDimensions {
		return invalid("%s has %d values, over the dimensions limit of %d", what, len(v), MaxDimensions)
	}
	for i, f := range v {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return invalid("%s value %d is %v: only finite numbers are allowed (no NaN or Inf)", what, i, f)
		}
	}
	return nil
}

func checkK(k uint32) error {
	if k < 1 || k > MaxK {
		return invalid("k is %d, out of range: k must be 1..%d", k, MaxK)
	}
	return nil
}

// checkDims compares a vector with a known index's dimensions.
func checkDims(what, ns string, got, want int) error {
	if got != want {
		return invalid("%s has %d dimensions, but vector index %s has %d", what, got, ns, want)
	}
	return nil
}

func distanceOf(d norikvpb.DistanceFunction) (vectorindex.Distance, error) {
	switch d {
	case norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN:
		return vectorindex.Euclidean, nil
	case norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE:
		return vectorindex.Cosine, nil
	case norikvpb.DistanceFunction_DISTANCE_FUNCTION_INNER_PRODUCT:
		return vectorindex.InnerProduct, nil
	case norikvpb.DistanceFunction_DISTANCE_FUNCTION_UNSPECIFIED:
		return 0, invalid("distance is unspecified: choose DISTANCE_FUNCTION_EUCLIDEAN, _COSINE or _INNER_PRODUCT")
	}
	return 0, invalid("unknown distance function %d: choose EUCLIDEAN (1), COSINE (2) or INNER_PRODUCT (3)", int32(d))
}

func kindOf(t norikvpb.VectorIndexType) (vectorindex.Kind, error) {
	switch t {
	case norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_UNSPECIFIED, norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_HNSW:
		return vectorindex.HNSW, nil
	case norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_BRUTE_FORCE:
		return vectorindex.BruteForce, nil
	}
	return 0, invalid("unknown vector index type %d: choose BRUTE_FORCE (1) or HNSW (2)", int32(t))
}

func pbDistance(d vectorindex.Distance) norikvpb.DistanceFunction {
	return norikvpb.DistanceFunction(d) // the enums share their numbers
}

func pbKind(k vectorindex.Kind) norikvpb.VectorIndexType {
	return norikvpb.VectorIndexType(k)
}

// metaInt reads an integer tuning parameter from the request metadata; 0
// when absent. A malformed or out-of-range value is an INVALID_ARGUMENT.
func metaInt(ctx context.Context, key string, lo, hi int) (int, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get(key)
	if len(vals) == 0 || vals[len(vals)-1] == "" {
		return 0, nil
	}
	s := vals[len(vals)-1]
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, invalid("metadata %s=%q: must be an integer in %d..%d", key, s, lo, hi)
	}
	return v, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// indexMeta is the meta map of vector replies.
func indexMeta(shard uint32, servedBy string) map[string]string {
	return map[string]string{"shard": strconv.FormatUint(uint64(shard), 10), "served_by": servedBy}
}
