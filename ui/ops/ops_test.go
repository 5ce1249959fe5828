package ops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

func TestParseTransfer(t *testing.T) {
	shard, node, err := ParseTransfer(" 17  n2 ")
	if err != nil || shard != 17 || node != "n2" {
		t.Fatalf("got %d %q %v", shard, node, err)
	}
	for _, bad := range []string{"", "17", "x n2", "-1 n2", "1 n2 n3"} {
		if _, _, err := ParseTransfer(bad); err == nil || !strings.Contains(err.Error(), "e.g.") {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

func TestRefusals(t *testing.T) {
	ro := uitest.Common()
	ro.ReadOnly = true
	cases := []struct {
		name string
		msg  any
		want error
	}{
		{"transfer read-only", TransferLeader(ro, 1, "n2")(), ErrReadOnly},
		{"stop read-only", StopNode(ro, "n1")(), ErrReadOnly},
		{"stop external", StopNode(uitest.Common(), "n1")(), ErrNotEmbedded},
		{"restart external", RestartNode(uitest.Common(), "n1")(), ErrNotEmbedded},
		{"transfer unconnected", TransferLeader(uitest.Common(), 1, "n2")(), ErrNotConnected},
		{"put read-only", PutKey(ro, "k=v")(), ErrReadOnly},
		{"get unconnected", GetKey(uitest.Common(), "k")(), ErrNotConnected},
	}
	for _, c := range cases {
		r, ok := c.msg.(common.OpResultMsg)
		if !ok || !errors.Is(r.Err, c.want) {
			t.Errorf("%s: %#v, want %v", c.name, c.msg, c.want)
		}
	}
	r := PutKey(uitest.Common(), "novalue")().(common.OpResultMsg)
	if r.Err == nil || !strings.Contains(r.Err.Error(), "key=value") {
		t.Errorf("put without '=': %v", r.Err)
	}
	// Hints only where they help: no blanket "try again, or press ? for help".
	if ClientErrorHint(ErrReadOnly) != "" || ClientErrorHint(errors.New("x")) != "" {
		t.Error("hints: read-only and unknown errors get none")
	}
	if ClientErrorHint(client.ErrUnsupported) == "" {
		t.Error("hints: an unsupported call says why")
	}
}

// TestNodeOpErrorsNameTheOpOnce: on the embedded cluster, restarting a
// running node and stopping a stopped one fail with the cluster's own
// message, which already names the operation; the status line read
// "restart node n2: restart node n2: already running" (seen in tmux).
func TestNodeOpErrorsNameTheOpOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{TotalShards: 16, Groups: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	c := uitest.Common()
	c.Control = cl
	for _, tc := range []struct {
		msg  tea.Msg
		want string
	}{
		{RestartNode(c, "n2")(), "restart node n2: already running"},
		{StopNode(c, "n2")(), ""},
		{StopNode(c, "n2")(), "stop node n2: not running"},
		{RestartNode(c, "n2")(), ""},
	} {
		res, ok := tc.msg.(WriteResult)
		if !ok {
			t.Fatalf("got %T, want WriteResult", tc.msg)
		}
		got := ""
		if res.Err != nil {
			got = res.Err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: error %q, want %q", res.Op, got, tc.want)
		}
	}
}
