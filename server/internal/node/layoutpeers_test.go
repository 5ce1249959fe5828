package node

import (
	"strings"
	"testing"
)

// TestDecideLayout checks when a node on a new data dir goes on or stops
// on its peers' answers about --shards and --groups.
func TestDecideLayout(t *testing.T) {
	own := layoutInfo{Node: "n3", Shards: 64, Groups: 8, Fresh: true}
	right := func(id string, fresh bool) layoutInfo {
		return layoutInfo{Node: id, Shards: 64, Groups: 4, Fresh: fresh}
	}
	same := func(id string, fresh bool) layoutInfo {
		return layoutInfo{Node: id, Shards: 64, Groups: 8, Fresh: fresh}
	}
	for _, tc := range []struct {
		name  string
		got   []layoutInfo
		nodes int
		done  bool
		err   string // substring; "" for nil
	}{
		{"no answer yet", nil, 3, false, ""},
		{"a peer holding data with other counts", []layoutInfo{right("n1", false)}, 3, true, "start n3 with --shards 64 --groups 4 as the others were"},
		{"a peer holding data with the same counts", []layoutInfo{same("n1", false)}, 3, true, ""},
		{"a new peer with other counts: not yet a majority", []layoutInfo{right("n1", true)}, 3, false, ""},
		{"a majority of new peers with other counts", []layoutInfo{right("n1", true), right("n2", true)}, 3, true, "start n3 with --shards 64 --groups 4"},
		{"a new peer agreeing makes a majority", []layoutInfo{same("n1", true)}, 3, true, ""},
		{"in five, one agreeing is not a majority", []layoutInfo{same("n1", true), right("n2", true)}, 5, false, ""},
		{"every peer answered, no majority", []layoutInfo{right("n1", true), {Node: "n2", Shards: 128, Groups: 4, Fresh: true}}, 3, true, "no majority of the cluster agrees"},
	} {
		got := map[string]layoutInfo{}
		for _, a := range tc.got {
			got[a.Node] = a
		}
		done, err := decideLayout(own, got, tc.nodes)
		switch {
		case done != tc.done:
			t.Errorf("%s: done %v, want %v (err %v)", tc.name, done, tc.done, err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
		}
	}
}
