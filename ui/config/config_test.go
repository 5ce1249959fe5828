package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const good = `# NoriKV console
default_profile: local
theme: light
profiles:
  local:
    nodes: [127.0.0.1:7447, 127.0.0.1:7448]
    total_shards: 1024
    timeout: 750ms
  prod:
    nodes:
      - db1.example:7447
    read_only: true
    theme: high-contrast
    tls:
      ca_file: /etc/ca.pem
keys:
  quit: [q, ctrl+q]
  cluster.transfer: [T]
`

func TestParseGood(t *testing.T) {
	f, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if f.DefaultProfile != "local" || f.Theme != "light" {
		t.Errorf("default/theme = %q/%q", f.DefaultProfile, f.Theme)
	}
	l := f.Profiles["local"]
	if len(l.Nodes) != 2 || l.TotalShards != 1024 || l.Timeout.Duration != 750*time.Millisecond {
		t.Errorf("local = %+v", l)
	}
	p := f.Profiles["prod"]
	if !p.ReadOnly || p.Theme != "high-contrast" || p.TLS == nil || p.TLS.CAFile != "/etc/ca.pem" {
		t.Errorf("prod = %+v", p)
	}
	if got := f.Keys["cluster.transfer"]; len(got) != 1 || got[0] != "T" {
		t.Errorf("keys = %v", f.Keys)
	}
	if got := f.KeyLine("cluster.transfer"); got != 18 {
		t.Errorf("KeyLine = %d, want 18", got)
	}
	if names := f.ProfileNames(); strings.Join(names, ",") != "local,prod" {
		t.Errorf("ProfileNames = %v", names)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"syntax", "profiles:\n  local:\n    nodes: [a\n", "line"},
		{"unknown field", "profiles:\n  local:\n    nodez: [127.0.0.1:1]\n", "line 3"},
		{"bad duration", "profiles:\n  local:\n    timeout: soon\n", "line 3: timeout \"soon\""},
		{"bad theme", "theme: neon\n", "line 1: unknown theme \"neon\""},
		{"bad refresh", "theme: dark\nrefresh: 2s\n", "line 2: refresh 2s: use 500ms, 1s or 5s"},
		{"bad node", "profiles:\n  local:\n    nodes:\n      - 127.0.0.1:7447\n      - nohost\n", "line 5: profile \"local\": nodes[1]"},
		{"missing default", "default_profile: prod\nprofiles:\n  local: {}\n", "line 1: default_profile \"prod\" is not a profile (profiles: local)"},
		{"wrong type", "profiles:\n  local:\n    total_shards: many\n", "line 3"},
		{"empty keys", "keys:\n  quit: []\n", "line 2: keys.quit"},
		{"tls half", "profiles:\n  p:\n    tls:\n      cert_file: c.pem\n", "line 3: profile \"p\": tls needs both"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestLoadMissingAndPath(t *testing.T) {
	dir := t.TempDir()
	f, err := Load(filepath.Join(dir, "none.yaml"))
	if err != nil || len(f.Profiles) != 0 {
		t.Fatalf("missing file: %v %+v", err, f)
	}
	p := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(p, []byte("theme: nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v, want path and line", err)
	}
	t.Setenv("XDG_CONFIG_HOME", dir)
	if got, _ := DefaultPath(); got != filepath.Join(dir, "norikv-console", "config.yaml") {
		t.Errorf("DefaultPath = %s", got)
	}
}

func TestRefresh(t *testing.T) {
	f, err := Parse([]byte("refresh: 500ms\n"))
	if err != nil || f.Refresh.Duration != 500*time.Millisecond {
		t.Fatalf("refresh = %v, err %v", f.Refresh.Duration, err)
	}
}
