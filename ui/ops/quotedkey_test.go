package ops

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestPaletteTakesKeysAsThePanesShowThem: the panes show a key that is not
// plain text quoted ("bin\x01\xff"); typed so into the palette's Get key,
// it was read as the literal quoted text ('get "\"bin\\x01\\xff\""': key
// not found; seen in tmux), and an empty key went to the server. Get and
// Put now read a quoted key as the Keys pane does, on a real cluster; a
// bad escape or an empty key is refused before any call.
func TestPaletteTakesKeysAsThePanesShowThem(t *testing.T) {
	cl := startEmbedded(t)
	cli, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 16, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cli.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	bin := "bin\x01\xff"
	if _, err := cli.Put(ctx, []byte(bin), []byte("binary"), nil); err != nil {
		t.Fatal(err)
	}
	c := uitest.Common()
	c.Client = cli
	shown := common.DisplayKey([]byte(bin))
	if shown != `"bin\x01\xff"` {
		t.Fatalf("the panes show the key as %s", shown)
	}
	res := GetKey(c, shown)().(common.OpResultMsg)
	if res.Err != nil || !strings.Contains(res.Info, `"binary"`) {
		t.Errorf("get %s: %v, info %q", shown, res.Err, res.Info)
	}
	// A quoted key holding '=' and a NUL, put then read back.
	w := PutKey(c, `"a=b\x00"=v=1`)().(WriteResult)
	if w.Err != nil {
		t.Fatalf("put: %v", w.Err)
	}
	got, err := cli.Get(ctx, []byte("a=b\x00"), nil)
	if err != nil || string(got.Value) != "v=1" {
		t.Errorf("the quoted put wrote %v (%v), want key \"a=b\\x00\" = \"v=1\"", got, err)
	}
	for _, tc := range []struct{ arg, want string }{
		{"", "type a key"},
		{`"\q"`, "bad escape in a quoted key"},
	} {
		r := GetKey(c, tc.arg)().(common.OpResultMsg)
		if r.Err == nil || !strings.Contains(r.Err.Error(), tc.want) || strings.Contains(r.Err.Error(), "norikv") {
			t.Errorf("get %q: %v, want a refusal saying %q before any call", tc.arg, r.Err, tc.want)
		}
	}
}
