package client_test

import (
	"fmt"
	"math"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/norikv/norikv-console/client"
)

// The linearizability model: one register per key holding a value and the
// version of the write that stored it. Histories are partitioned by key, so
// the state is just one key's register.

// linOpKind names the operations the workload issues.
type linOpKind int

const (
	linPut linOpKind = iota // unconditional Put
	linCAS                  // Put with IfMatchVersion
	linGet                  // Get (lease or linearizable: both must be linearizable)
)

// linInput is an operation as invoked.
type linInput struct {
	Kind    linOpKind
	Key     string
	Value   string         // Put/CAS: the value written (unique per write)
	IfMatch client.Version // CAS: the version compared against
	Level   string         // Get: the consistency level, for the visualization only
}

// linOutput is what an operation returned. Unknown marks an ambiguous write
// (timeout, unavailable, ...): it may or may not have applied, and its
// Return time is infinite (porcupine's convention for pending operations).
type linOutput struct {
	Unknown bool
	// Put/CAS ok: the version of the write. Get: the version read.
	Version client.Version
	// Get: whether the key existed and the value read.
	Found bool
	Value string
	// CAS: false when it failed with a version mismatch.
	OK bool
	// CAS mismatch: the key did not exist, or the current version the
	// server reported (nil when it said none).
	KeyMissing bool
	Current    *client.Version
}

// linState is one key's register. Versions the history never showed are
// zero with Unknown set: an ambiguous write nobody read.
type linState struct {
	Exists  bool
	Value   string
	Version client.Version
}

// linPendingReturn is the return time of an operation that never returned.
const linPendingReturn = math.MaxInt64

// linModel builds the model for history. Values are unique per write, so
// the version of an ambiguous write (which its caller never learnt) is the
// version any read or compare reported for its value; the model looks it up
// in a table built from the history. A write whose value nobody observed
// gets a version no operation can match.
func linModel(history []porcupine.Operation) porcupine.Model {
	versionOf := linVersionTable(history)
	return porcupine.Model{
		Partition: linPartitionByKey,
		Init:      func() interface{} { return linState{} },
		Step: func(state, input, output interface{}) (bool, interface{}) {
			return linStep(versionOf, state.(linState), input.(linInput), output.(linOutput))
		},
		DescribeOperation: linDescribeOp,
		DescribeState: func(state interface{}) string {
			s := state.(linState)
			if !s.Exists {
				return "<none>"
			}
			return fmt.Sprintf("%s @%s", s.Value, linFmtVersion(s.Version))
		},
	}
}

// linVersionTable maps each value to the version an operation reported for it.
func linVersionTable(history []porcupine.Operation) map[string]client.Version {
	t := map[string]client.Version{}
	for _, op := range history {
		in, out := op.Input.(linInput), op.Output.(linOutput)
		switch {
		case out.Unknown:
		case in.Kind == linGet && out.Found:
			t[in.Key+"\x00"+out.Value] = out.Version
		case in.Kind == linPut || (in.Kind == linCAS && out.OK):
			t[in.Key+"\x00"+in.Value] = out.Version
		}
	}
	return t
}

// linUnseenVersion is the version given to an ambiguous write whose value was
// never observed: no real write has term 0, so no read or compare matches it.
var linUnseenVersion = client.Version{Term: 0, Index: math.MaxUint64}

func linStep(versionOf map[string]client.Version, s linState, in linInput, out linOutput) (bool, linState) {
	written := func(v client.Version) linState { return linState{Exists: true, Value: in.Value, Version: v} }
	switch in.Kind {
	case linGet:
		if !out.Found {
			return !s.Exists, s
		}
		return s.Exists && s.Value == out.Value && s.Version == out.Version, s
	case linPut:
		if out.Unknown {
			return true, written(linLookup(versionOf, in))
		}
		return true, written(out.Version)
	case linCAS:
		// unseen: the current value came from an ambiguous write whose
		// version no read reported; a CAS outcome may be the first sign of
		// it (a mismatch naming it as current, or a compare against it), so
		// it matches any version and the outcome pins it.
		unseen := s.Exists && s.Version == linUnseenVersion
		matches := s.Exists && (s.Version == in.IfMatch || unseen)
		if out.Unknown {
			if matches {
				return true, written(linLookup(versionOf, in))
			}
			return true, s
		}
		if out.OK {
			return matches, written(out.Version)
		}
		if out.KeyMissing {
			return !s.Exists, s
		}
		if unseen {
			if out.Current == nil {
				return true, s
			}
			if *out.Current == in.IfMatch {
				return false, s
			}
			s.Version = *out.Current
			return true, s
		}
		if out.Current != nil && (!s.Exists || s.Version != *out.Current) {
			return false, s
		}
		return !matches, s
	}
	return false, s
}

func linLookup(versionOf map[string]client.Version, in linInput) client.Version {
	if v, ok := versionOf[in.Key+"\x00"+in.Value]; ok {
		return v
	}
	return linUnseenVersion
}

func linPartitionByKey(history []porcupine.Operation) [][]porcupine.Operation {
	byKey := map[string][]porcupine.Operation{}
	var keys []string
	for _, op := range history {
		k := op.Input.(linInput).Key
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], op)
	}
	sort.Strings(keys)
	out := make([][]porcupine.Operation, 0, len(keys))
	for _, k := range keys {
		out = append(out, byKey[k])
	}
	return out
}

func linFmtVersion(v client.Version) string {
	if v == linUnseenVersion {
		return "?"
	}
	return fmt.Sprintf("%d/%d", v.Term, v.Index)
}

func linDescribeOp(input, output interface{}) string {
	in, out := input.(linInput), output.(linOutput)
	res := ""
	switch {
	case out.Unknown:
		res = "unknown"
	case in.Kind == linGet && !out.Found:
		res = "not found"
	case in.Kind == linGet:
		res = fmt.Sprintf("%s @%s", out.Value, linFmtVersion(out.Version))
	case in.Kind == linPut || out.OK:
		res = "ok @" + linFmtVersion(out.Version)
	case out.KeyMissing:
		res = "mismatch: no key"
	case out.Current != nil:
		res = "mismatch: current " + linFmtVersion(*out.Current)
	default:
		res = "mismatch"
	}
	switch in.Kind {
	case linGet:
		return fmt.Sprintf("get(%s, %s) -> %s", in.Key, in.Level, res)
	case linCAS:
		return fmt.Sprintf("cas(%s, if %s, %s) -> %s", in.Key, linFmtVersion(in.IfMatch), in.Value, res)
	}
	return fmt.Sprintf("put(%s, %s) -> %s", in.Key, in.Value, res)
}

// linHistory records operations from many goroutines.
type linHistory struct {
	start time.Time
	mu    sync.Mutex
	ops   []porcupine.Operation
	notes []porcupine.Annotation
}

func newLinHistory() *linHistory { return &linHistory{start: time.Now()} }

// now is the monotonic time since the run started, in nanoseconds.
func (h *linHistory) now() int64 { return int64(time.Since(h.start)) }

// add records an operation; a pending one gets an infinite return time.
func (h *linHistory) add(clientID int, in linInput, call int64, out linOutput, ret int64) {
	if out.Unknown {
		ret = linPendingReturn
	}
	h.mu.Lock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: clientID, Input: in, Call: call, Output: out, Return: ret})
	h.mu.Unlock()
}

// annotate records a fault window shown in the visualization.
func (h *linHistory) annotate(what string, from, to int64) {
	h.mu.Lock()
	h.notes = append(h.notes, porcupine.Annotation{
		Tag: "faults", Start: from, End: to, Description: what, Details: what,
	})
	h.mu.Unlock()
}

func (h *linHistory) snapshot() ([]porcupine.Operation, []porcupine.Annotation) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]porcupine.Operation(nil), h.ops...), append([]porcupine.Annotation(nil), h.notes...)
}

// linCheck checks history, and when it is not proven linearizable writes the
// porcupine visualization to a temp file whose path it returns.
func linCheck(history []porcupine.Operation, notes []porcupine.Annotation, timeout time.Duration) (porcupine.CheckResult, string, error) {
	model := linModel(history)
	res, info := porcupine.CheckOperationsVerbose(model, history, timeout)
	if res == porcupine.Ok {
		return res, "", nil
	}
	info.AddAnnotations(notes)
	f, err := os.CreateTemp("", "norikv-linearizability-*.html")
	if err != nil {
		return res, "", fmt.Errorf("create visualization file: %w", err)
	}
	defer f.Close()
	if err := porcupine.Visualize(model, info, f); err != nil {
		return res, f.Name(), fmt.Errorf("write visualization %s: %w", f.Name(), err)
	}
	return res, f.Name(), nil
}
