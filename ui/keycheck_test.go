package ui

import (
	"strings"
	"testing"
)

// TestCheckKeysRefusesClashes: a rebound key already used by another
// action of the same pane, or by a global key, is refused with both names;
// swapping two keys is fine.
func TestCheckKeysRefusesClashes(t *testing.T) {
	cases := []struct {
		over      map[string][]string
		bad, want string
	}{
		{map[string][]string{"cluster.transfer": {"q"}}, "cluster.transfer", `"q" is already bound to quit`},
		{map[string][]string{"quit": {"x"}}, "quit", `"x" is already bound to keys.hex`},
		{map[string][]string{"keys.hex": {"3"}}, "keys.hex", `"3" is already bound to go-to-pane`},
		{map[string][]string{"help": {"ctrl+l"}}, "help", "message-log"},
	}
	for _, c := range cases {
		bad, err := CheckKeys(c.over)
		if bad != c.bad || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %q %v, want %s: %s", c.over, bad, err, c.bad, c.want)
		}
	}
	if bad, err := CheckKeys(map[string][]string{"up": {"down"}, "down": {"up"}}); err != nil {
		t.Fatalf("swapping up and down: %s %v", bad, err)
	}
}
