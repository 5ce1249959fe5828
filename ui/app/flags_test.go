package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/config"
)

func emptyFile() *config.File { return &config.File{} }

func TestParseFlagsErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"--nodes", "nohost"}, "--nodes: \"nohost\" is not host:port"},
		{[]string{"--shards", "0"}, "--shards must be 1..1048576"},
		{[]string{"--theme", "neon"}, "unknown theme \"neon\""},
		{[]string{"extra"}, "unexpected argument \"extra\""},
	}
	for _, c := range cases {
		if _, err := ParseFlags(c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}
}

func TestResolvePrecedence(t *testing.T) {
	f, err := config.Parse([]byte(`default_profile: lab
theme: light
profiles:
  lab:
    nodes: [10.0.0.1:7447]
    total_shards: 256
    timeout: 2s
    read_only: true
  other:
    nodes: [10.0.0.2:7447]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(Flags{}, f)
	if err != nil {
		t.Fatal(err)
	}
	if s.Profile != "lab" || s.TotalShards != 256 || s.Timeout != 2*time.Second || !s.ReadOnly || s.Theme != "light" || s.Embedded() {
		t.Errorf("default profile: %+v", s)
	}
	fl, _ := ParseFlags([]string{"--profile", "other", "--shards", "64", "--theme", "high-contrast", "--read-only=false", "--nodes", "127.0.0.1:9000"})
	s, err = Resolve(fl, f)
	if err != nil {
		t.Fatal(err)
	}
	if s.Profile != "other" || s.TotalShards != 64 || s.ReadOnly || s.Theme != "high-contrast" || s.Nodes[0] != "127.0.0.1:9000" {
		t.Errorf("flags over profile: %+v", s)
	}
	fl, _ = ParseFlags([]string{"--profile", "nope"})
	if _, err := Resolve(fl, f); err == nil || !strings.Contains(err.Error(), `"nope": no such profile`) {
		t.Errorf("unknown profile: %v", err)
	}
	s, _ = Resolve(Flags{}, emptyFile())
	if !s.Embedded() || s.Profile != "embedded" || s.TotalShards != 1024 {
		t.Errorf("no config: %+v", s)
	}
}

func TestRunHelpVersionAndBadConfig(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "--read-only") {
		t.Errorf("--help: code %d, out %q", code, out.String())
	}
	out.Reset()
	if code := Run(context.Background(), []string{"--version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "norikv-console ") {
		t.Errorf("--version: code %d, out %q", code, out.String())
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte("profiles:\n  a:\n    nodes: [127.0.0.1:1]\nkeys:\n  cluster.fly: [f]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := Run(context.Background(), []string{"--config", p}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "line 5") || !strings.Contains(errb.String(), "unknown action \"fly\"") {
		t.Errorf("bad key: code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := Run(context.Background(), []string{"--config", filepath.Join(dir, "missing.yaml")}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--config") {
		t.Errorf("missing --config: code %d, stderr %q", code, errb.String())
	}
}
