package vectorstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

// Def is an index definition as a create command carries it. Zero M,
// EfConstruction and EfSearch mean the index defaults.
type Def struct {
	Dims           int
	Distance       vectorindex.Distance
	Kind           vectorindex.Kind
	M              int
	EfConstruction int
	EfSearch       int
}

// CreateCommand returns the replicated command creating namespace's index.
// The seed of the HNSW level generator travels in the command, so every
// replica builds the same graph.
func CreateCommand(ns string, def Def, seed uint64, idemKey string) *kvstore.Command {
	p := binary.AppendUvarint(nil, uint64(def.Dims))
	for _, v := range []int{int(def.Distance), int(def.Kind), def.M, def.EfConstruction, def.EfSearch} {
		p = binary.AppendUvarint(p, uint64(v))
	}
	p = binary.LittleEndian.AppendUint64(p, seed)
	return &kvstore.Command{Type: kvstore.CmdVecCreate, Key: []byte(ns), IdemKey: idemKey, Payload: p}
}

// DropCommand returns the replicated command dropping namespace's index.
func DropCommand(ns, idemKey string) *kvstore.Command {
	return &kvstore.Command{Type: kvstore.CmdVecDrop, Key: []byte(ns), IdemKey: idemKey}
}

// InsertCommand returns the replicated command upserting one vector.
func InsertCommand(ns, id string, vec []float32, idemKey string) *kvstore.Command {
	p := make([]byte, 0, 8+len(vec)*4)
	p = binary.AppendUvarint(p, uint64(len(vec)))
	for _, f := range vec {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(f))
	}
	return &kvstore.Command{Type: kvstore.CmdVecInsert, Key: scopeKey(ns, id), IdemKey: idemKey, Payload: p}
}

// DeleteCommand returns the replicated command deleting one vector.
func DeleteCommand(ns, id, idemKey string) *kvstore.Command {
	return &kvstore.Command{Type: kvstore.CmdVecDelete, Key: scopeKey(ns, id), IdemKey: idemKey}
}

// scopeKey is the command key of a vector write: the namespace's length,
// the namespace, then the id. Idempotency records are scoped by it, and it
// cannot be ambiguous whatever bytes the namespace holds.
func scopeKey(ns, id string) []byte {
	b := binary.AppendUvarint(make([]byte, 0, 2+len(ns)+len(id)), uint64(len(ns)))
	b = append(b, ns...)
	return append(b, id...)
}

var errBadPayload = errors.New("malformed vector command")

// splitScope undoes scopeKey.
func splitScope(key []byte) (ns, id string, err error) {
	n, w := binary.Uvarint(key)
	if w <= 0 || n > uint64(len(key)-w) {
		return "", "", errBadPayload
	}
	return string(key[w : w+int(n)]), string(key[w+int(n):]), nil
}

func decodeCreate(p []byte) (Def, uint64, error) {
	var vals [6]uint64
	for i := range vals {
		v, w := binary.Uvarint(p)
		if w <= 0 || v > math.MaxInt32 {
			return Def{}, 0, errBadPayload
		}
		vals[i], p = v, p[w:]
	}
	if len(p) != 8 {
		return Def{}, 0, errBadPayload
	}
	def := Def{
		Dims: int(vals[0]), Distance: vectorindex.Distance(vals[1]), Kind: vectorindex.Kind(vals[2]),
		M: int(vals[3]), EfConstruction: int(vals[4]), EfSearch: int(vals[5]),
	}
	return def, binary.LittleEndian.Uint64(p), nil
}

func decodeVector(p []byte) ([]float32, error) {
	n, w := binary.Uvarint(p)
	if w <= 0 || n > vectorindex.MaxDims || uint64(len(p)-w) != n*4 {
		return nil, fmt.Errorf("%w: vector length", errBadPayload)
	}
	p = p[w:]
	vec := make([]float32, n)
	for i := range vec {
		vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[i*4:]))
	}
	return vec, nil
}
