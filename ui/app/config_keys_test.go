package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadKeyBindingsNameTheLine: an invalid key name, or a key taken by
// another binding, stops the console before it starts, naming the line.
func TestBadKeyBindingsNameTheLine(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"theme: dark\nkeys:\n  quit: [q]\n  cluster.transfer: [q]\n", `line 4: key binding "cluster.transfer": "q" is already bound to quit`},
		{"keys:\n  quit: [ctrl+q]\n  help:\n    - \"?\"\n    - zz+\n", `line 5: keys.help: unknown key "zz+"`},
	} {
		p := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(p, []byte(c.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := ParseFlags([]string{"--config", p})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadSettings(f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want %q", c.yaml, err, c.want)
		}
	}
}
