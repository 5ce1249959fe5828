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
		want  layoutVerdict
		err   string // substring; "" for nil
	}{
		{"no answer yet", nil, 3, layoutUndecided, ""},
		{"a peer holding data with other counts", []layoutInfo{right("n1", false)}, 3, layoutRefused, "start n3 with --shards 64 --groups 4 as the others were"},
		{"a peer holding data with the same counts", []layoutInfo{same("n1", false)}, 3, layoutConfirmed, ""},
		{"a new peer with other counts: not yet a majority", []layoutInfo{right("n1", true)}, 3, layoutUndecided, ""},
		{"a majority of new peers with other counts", []layoutInfo{right("n1", true), right("n2", true)}, 3, layoutRefused, "start n3 with --shards 64 --groups 4"},
		// The third may hold the cluster's data with other counts: it is
		// asked until it answers.
		{"a new peer agreeing makes a majority of new nodes", []layoutInfo{same("n1", true)}, 3, layoutConfirmedByNew, ""},
		{"then the peer holding data refuses", []layoutInfo{same("n1", true), right("n2", false)}, 3, layoutRefused, "its peer n2 (holding the cluster's data) runs with --shards 64 --groups 4"},
		{"then the peer holding data agrees", []layoutInfo{same("n1", true), same("n2", false)}, 3, layoutConfirmed, ""},
		{"then a new peer with other counts", []layoutInfo{same("n1", true), right("n2", true)}, 3, layoutConfirmed, ""},
		{"in five, one agreeing is not a majority", []layoutInfo{same("n1", true), right("n2", true)}, 5, layoutUndecided, ""},
		{"every peer answered, no majority", []layoutInfo{right("n1", true), {Node: "n2", Shards: 128, Groups: 4, Fresh: true}}, 3, layoutRefused, "no majority of the cluster agrees"},
		{"older peers answer without counts", []layoutInfo{{Node: "n1", Old: true}, {Node: "n2", Old: true}}, 3, layoutUnchecked, ""},
		{"an older peer and a new one agreeing", []layoutInfo{{Node: "n1", Old: true}, same("n2", true)}, 3, layoutConfirmed, ""},
		{"an older peer and one holding data with other counts", []layoutInfo{{Node: "n1", Old: true}, right("n2", false)}, 3, layoutRefused, "start n3 with --shards 64 --groups 4"},
		{"an older peer and a new one with other counts", []layoutInfo{{Node: "n1", Old: true}, right("n2", true)}, 3, layoutRefused, "n1 (an older version, without counts)"},
	} {
		got := map[string]layoutInfo{}
		for _, a := range tc.got {
			got[a.Node] = a
		}
		v, err := decideLayout(own, got, tc.nodes)
		switch {
		case v != tc.want:
			t.Errorf("%s: verdict %d, want %d (err %v)", tc.name, v, tc.want, err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
		}
	}
}
