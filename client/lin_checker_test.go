package client_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/norikv/norikv-console/client"
)

// Hand-made histories for the linearizability model: the check on the
// cluster is only as good as the model, so the model must reject the
// anomalies it is meant to catch and accept what a correct store may do.

func linV(i uint64) client.Version { return client.Version{Term: 1, Index: i} }

// linOp is a shorthand for one operation; ret < 0 marks it pending.
func linOp(clientID int, call, ret int64, in linInput, out linOutput) porcupine.Operation {
	if ret < 0 {
		out.Unknown = true
		ret = linPendingReturn
	}
	return porcupine.Operation{ClientId: clientID, Input: in, Call: call, Output: out, Return: ret}
}

func linPutOp(key, val string) linInput { return linInput{Kind: linPut, Key: key, Value: val} }
func linCASOp(key string, from client.Version, val string) linInput {
	return linInput{Kind: linCAS, Key: key, IfMatch: from, Value: val}
}
func linGetOp(key string) linInput        { return linInput{Kind: linGet, Key: key, Level: "lease"} }
func linWrote(v client.Version) linOutput { return linOutput{Version: v, OK: true} }
func linRead(val string, v client.Version) linOutput {
	return linOutput{Found: true, Value: val, Version: v}
}
func linMismatch(cur client.Version) linOutput { return linOutput{Current: &cur} }

var linCheckerCases = []struct {
	name  string
	legal bool
	ops   []porcupine.Operation
}{
	// Must be accepted: an ambiguous CAS that applied and that no read saw,
	// named as the current version by a later mismatch (seen in a -race CI
	// run: the model used to reject it).
	{"ambiguous CAS first seen as a mismatch's current version", true, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, -1, linCASOp("x", linV(1), "b"), linOutput{}),
		linOp(0, 30, 40, linGetOp("x"), linRead("a", linV(1))),
		linOp(2, 50, 60, linCASOp("x", linV(1), "c"), linMismatch(linV(2))),
		linOp(0, 70, 80, linPutOp("x", "d"), linWrote(linV(4))),
		linOp(0, 90, 100, linGetOp("x"), linRead("d", linV(4))),
	}},
	// Must be rejected: the mismatch names the very version it compared.
	{"mismatch naming the compared version as current", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, -1, linCASOp("x", linV(1), "b"), linOutput{}),
		linOp(0, 30, 40, linCASOp("x", linV(5), "c"), linMismatch(linV(5))),
	}},
	// Must be rejected.
	{"stale read after acknowledged write", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(0, 20, 30, linPutOp("x", "b"), linWrote(linV(2))),
		linOp(1, 40, 50, linGetOp("x"), linRead("a", linV(1))),
	}},
	{"lost write: read finds nothing after an acknowledged put", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, 30, linGetOp("x"), linOutput{}),
	}},
	{"CAS succeeded twice from the same version", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, 40, linCASOp("x", linV(1), "b"), linWrote(linV(2))),
		linOp(2, 25, 45, linCASOp("x", linV(1), "c"), linWrote(linV(3))),
	}},
	{"read returns the right value with another version", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, 30, linGetOp("x"), linRead("a", linV(7))),
	}},
	{"CAS mismatch although the version matched", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, 30, linCASOp("x", linV(1), "b"), linOutput{}),
	}},
	{"CAS mismatch names a current version the key never had then", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, 30, linCASOp("x", linV(5), "b"), linMismatch(linV(9))),
	}},
	{"CAS says the key is missing after an acknowledged put", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, 30, linCASOp("x", linV(1), "b"), linOutput{KeyMissing: true}),
	}},
	{"read of an ambiguous write before the write was sent", false, []porcupine.Operation{
		linOp(1, 0, 10, linGetOp("x"), linRead("a", linV(1))),
		linOp(0, 20, -1, linPutOp("x", "a"), linOutput{}),
	}},
	{"value flips back: a, b, then a again", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(0, 20, 30, linPutOp("x", "b"), linWrote(linV(2))),
		linOp(1, 15, 35, linGetOp("x"), linRead("b", linV(2))),
		linOp(2, 40, 50, linGetOp("x"), linRead("a", linV(1))),
	}},
	{"violation on one key among several", false, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 0, 10, linPutOp("y", "a"), linWrote(linV(1))),
		linOp(0, 20, 30, linPutOp("x", "b"), linWrote(linV(2))),
		linOp(1, 40, 50, linGetOp("y"), linRead("a", linV(1))),
		linOp(2, 40, 50, linGetOp("x"), linRead("a", linV(1))),
	}},

	// Must be accepted.
	{"read concurrent with a write sees the old value", true, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(0, 20, 40, linPutOp("x", "b"), linWrote(linV(2))),
		linOp(1, 25, 35, linGetOp("x"), linRead("a", linV(1))),
	}},
	{"read concurrent with a write sees the new value", true, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(0, 20, 40, linPutOp("x", "b"), linWrote(linV(2))),
		linOp(1, 25, 35, linGetOp("x"), linRead("b", linV(2))),
	}},
	{"ambiguous write that applied, seen by a later read", true, []porcupine.Operation{
		linOp(0, 0, -1, linPutOp("x", "a"), linOutput{}),
		linOp(1, 20, 30, linGetOp("x"), linRead("a", linV(4))),
		linOp(1, 40, 50, linCASOp("x", linV(4), "b"), linWrote(linV(5))),
	}},
	{"ambiguous write that never applied", true, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(0, 20, -1, linPutOp("x", "b"), linOutput{}),
		linOp(1, 30, 40, linGetOp("x"), linRead("a", linV(1))),
		linOp(1, 50, 60, linCASOp("x", linV(1), "c"), linWrote(linV(3))),
	}},
	{"ambiguous CAS that applied", true, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(0, 20, -1, linCASOp("x", linV(1), "b"), linOutput{}),
		linOp(1, 30, 40, linCASOp("x", linV(1), "c"), linMismatch(linV(2))),
		linOp(1, 50, 60, linGetOp("x"), linRead("b", linV(2))),
	}},
	{"one CAS wins a race, the other reports the winner's version", true, []porcupine.Operation{
		linOp(0, 0, 10, linPutOp("x", "a"), linWrote(linV(1))),
		linOp(1, 20, 40, linCASOp("x", linV(1), "b"), linWrote(linV(2))),
		linOp(2, 25, 45, linCASOp("x", linV(1), "c"), linMismatch(linV(2))),
	}},
	{"CAS on a missing key", true, []porcupine.Operation{
		linOp(0, 0, 10, linCASOp("x", linV(1), "a"), linOutput{KeyMissing: true}),
		linOp(0, 20, 30, linGetOp("x"), linOutput{}),
	}},
}

func TestLinearizabilityCheckerHistories(t *testing.T) {
	for _, tc := range linCheckerCases {
		t.Run(tc.name, func(t *testing.T) {
			got := porcupine.CheckOperations(linModel(tc.ops), tc.ops)
			if got != tc.legal {
				t.Fatalf("linearizable = %v, want %v for:\n%s", got, tc.legal, linDescribeHistory(tc.ops))
			}
		})
	}
}

// TestLinearizabilityCheckerVisualization checks that a rejected history
// leaves an HTML visualization whose path the check returns.
func TestLinearizabilityCheckerVisualization(t *testing.T) {
	var ops []porcupine.Operation
	for _, tc := range linCheckerCases {
		if tc.name == "stale read after acknowledged write" {
			ops = tc.ops
		}
	}
	res, path, err := linCheck(ops, []porcupine.Annotation{{Tag: "faults", Start: 5, End: 25, Description: "stop n1"}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if res != porcupine.Illegal {
		t.Fatalf("result %v, want Illegal", res)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read visualization: %v", err)
	}
	if !strings.Contains(string(raw), "stop n1") || !strings.Contains(string(raw), "put(x, b)") {
		t.Fatalf("visualization %s lacks the operations or the fault annotation (%d bytes)", path, len(raw))
	}
}

func linDescribeHistory(ops []porcupine.Operation) string {
	var b strings.Builder
	for _, op := range ops {
		ret := "pending"
		if op.Return != linPendingReturn {
			ret = time.Duration(op.Return).String()
		}
		b.WriteString("  [" + time.Duration(op.Call).String() + ", " + ret + "] " + linDescribeOp(op.Input, op.Output) + "\n")
	}
	return b.String()
}
