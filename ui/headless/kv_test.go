package headless

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGetGolden: get's table, JSON and YAML, volatile fields normalized.
func TestGetGolden(t *testing.T) {
	must(t, "", "put", "golden:user", `{"name":"Ada"}`, "--ttl", "10m", nodesFlag())
	for _, f := range []string{"table", "json", "yaml"} {
		t.Run(f, func(t *testing.T) {
			out := must(t, "", "get", "golden:user", "-o", f, nodesFlag())
			golden.RequireEqual(t, normalize(out, f == "table"))
		})
	}
}

// TestPutGolden: put's answer in table and JSON.
func TestPutGolden(t *testing.T) {
	for _, f := range []string{"table", "json"} {
		t.Run(f, func(t *testing.T) {
			out := must(t, "", "put", "golden:put", "v", "--output", f, nodesFlag())
			golden.RequireEqual(t, normalize(out, f == "table"))
		})
	}
}

// TestBinaryValueStdinRawBase64: a value with every byte value goes in
// through stdin and comes back identical with --raw and as base64 in JSON.
func TestBinaryValueStdinRawBase64(t *testing.T) {
	var value []byte
	for i := 0; i < 256; i++ {
		value = append(value, byte(i))
	}
	must(t, string(value), "put", "bin:all-bytes", "-", nodesFlag())
	if raw := must(t, "", "get", "bin:all-bytes", "--raw", nodesFlag()); raw != string(value) {
		t.Fatalf("--raw gave %d bytes %q, want the 256 byte values", len(raw), raw)
	}
	var got struct {
		Value string `json:"value"`
		Size  int    `json:"size"`
	}
	if err := json.Unmarshal([]byte(must(t, "", "get", "bin:all-bytes", nodesFlag())), &got); err != nil {
		t.Fatal(err)
	}
	dec, err := base64.StdEncoding.DecodeString(got.Value)
	if err != nil || !bytes.Equal(dec, value) || got.Size != 256 {
		t.Fatalf("JSON value %q (size %d) does not decode to the 256 bytes: %v", got.Value, got.Size, err)
	}
	table := must(t, "", "get", "bin:all-bytes", "-o", "table", nodesFlag())
	if !strings.Contains(table, `"\x00\x01`) || !strings.Contains(table, "--raw") {
		t.Fatalf("table shows binary values Go-quoted with a --raw hint, got:\n%s", table)
	}
}

// TestFlagsBeforeOrAfterArguments: flags may come anywhere, the command word
// may follow global flags, and -- ends the flags.
func TestFlagsBeforeOrAfterArguments(t *testing.T) {
	must(t, "", "put", "order:k", "v1", nodesFlag())
	want := must(t, "", "get", "order:k", "--output", "json", nodesFlag())
	for _, argv := range [][]string{
		{"get", "--output", "json", "order:k", nodesFlag()},
		{"get", "--output=json", nodesFlag(), "order:k"},
		{nodesFlag(), "-o", "json", "get", "order:k"},
		{"--nodes", strings.Join(shared.Addrs(), ","), "get", "order:k", "-o=json"},
		{"get", nodesFlag(), "-o", "json", "--", "order:k"},
	} {
		if got := must(t, "", argv...); got != want {
			t.Errorf("%q printed %q, want %q", argv, got, want)
		}
	}
	// A value that looks like a flag goes after --.
	must(t, "", "put", nodesFlag(), "--", "order:dash", "--not-a-flag")
	if raw := must(t, "", "get", "order:dash", "--raw", nodesFlag()); raw != "--not-a-flag" {
		t.Fatalf("value after -- = %q", raw)
	}
}

// TestCASAndVersions: cas succeeds from the current version and exits 4
// from a stale one, naming the current version; put --if-version too.
func TestCASAndVersions(t *testing.T) {
	var put struct{ Version string }
	if err := json.Unmarshal([]byte(must(t, "", "put", "cas:k", "one", nodesFlag())), &put); err != nil {
		t.Fatal(err)
	}
	must(t, "", "cas", "cas:k", "--from", put.Version, "two", nodesFlag())
	r := run(t, "", "cas", "cas:k", "--from", put.Version, "three", nodesFlag())
	if r.code != ExitConflict || !strings.Contains(r.stderr, "current term=") || !strings.Contains(r.stderr, `"kind":"cas_conflict"`) {
		t.Fatalf("stale cas: exit %d, stderr %s; want %d naming the current version", r.code, r.stderr, ExitConflict)
	}
	if r := run(t, "", "put", "cas:k", "x", "--if-version", put.Version, nodesFlag()); r.code != ExitConflict {
		t.Fatalf("put --if-version stale: exit %d, want %d", r.code, ExitConflict)
	}
	if r := run(t, "", "cas", "cas:missing", "--from", "1/1", "x", nodesFlag()); r.code != ExitConflict {
		t.Fatalf("cas on a missing key: exit %d (%s), want %d", r.code, r.stderr, ExitConflict)
	}
	if raw := must(t, "", "get", "cas:k", "--raw", nodesFlag()); raw != "two" {
		t.Fatalf("value after the cas = %q, want two", raw)
	}
}

// TestTTLShowSetClear: ttl shows none, sets one (a CAS re-write keeping the
// value), and clears it.
func TestTTLShowSetClear(t *testing.T) {
	must(t, "", "put", "ttl:k", "keep me", nodesFlag())
	ttlOf := func() (int64, string) {
		var r struct {
			TTLMs     int64  `json:"ttl_ms"`
			ExpiresAt string `json:"expires_at"`
		}
		if err := json.Unmarshal([]byte(must(t, "", "ttl", "ttl:k", nodesFlag())), &r); err != nil {
			t.Fatal(err)
		}
		return r.TTLMs, r.ExpiresAt
	}
	if ms, exp := ttlOf(); ms != 0 || exp != "" {
		t.Fatalf("fresh key has TTL %d ms (expires %q)", ms, exp)
	}
	must(t, "", "ttl", "ttl:k", "--set", "5m", nodesFlag())
	if ms, exp := ttlOf(); ms < 60_000 || ms > 300_000 || exp == "" {
		t.Fatalf("after --set 5m: ttl %d ms, expires %q", ms, exp)
	}
	if out := must(t, "", "ttl", "ttl:k", "-o", "table", nodesFlag()); !strings.Contains(out, "ttl") || !strings.Contains(out, "expires") {
		t.Fatalf("table shows the TTL and expiry:\n%s", out)
	}
	must(t, "", "ttl", "--clear", "ttl:k", nodesFlag())
	if ms, exp := ttlOf(); ms != 0 || exp != "" {
		t.Fatalf("after --clear: ttl %d ms, expires %q", ms, exp)
	}
	if raw := must(t, "", "get", "ttl:k", "--raw", nodesFlag()); raw != "keep me" {
		t.Fatalf("value after TTL changes = %q", raw)
	}
}

// TestDelete: delete reports the key gone; a missing key exits 3.
func TestDelete(t *testing.T) {
	must(t, "", "put", "del:k", "v", nodesFlag())
	if out := must(t, "", "delete", "del:k", nodesFlag()); !strings.Contains(out, `"deleted":true`) {
		t.Fatalf("delete printed %s", out)
	}
	if r := run(t, "", "get", "del:k", nodesFlag()); r.code != ExitNotFound {
		t.Fatalf("get after delete: exit %d, want %d", r.code, ExitNotFound)
	}
	if r := run(t, "", "delete", "del:k", nodesFlag()); r.code != ExitNotFound {
		t.Fatalf("delete of a missing key: exit %d, want %d", r.code, ExitNotFound)
	}
}

// TestProfileAndReadOnlyProfile: --profile and default_profile reach the
// cluster through the console's config file; a read_only profile refuses
// writes with exit 6, and an explicit --read-only=false overrides it, as in
// the console.
func TestProfileAndReadOnlyProfile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	nodes := `["` + strings.Join(shared.Addrs(), `", "`) + `"]`
	yaml := "default_profile: local\nprofiles:\n  local:\n    nodes: " + nodes + "\n  prod:\n    nodes: " + nodes + "\n    read_only: true\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, "", "put", "profile:k", "v", "--config", cfg)
	must(t, "", "get", "profile:k", "--config", cfg, "--profile", "prod")
	r := run(t, "", "put", "profile:k", "w", "--config", cfg, "--profile", "prod")
	if r.code != ExitReadOnly || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("write on a read_only profile: exit %d, stderr %s; want %d", r.code, r.stderr, ExitReadOnly)
	}
	must(t, "", "put", "profile:k", "w", "--config", cfg, "--profile", "prod", "--read-only=false")
	if r := run(t, "", "get", "profile:k", "--config", cfg, "--profile", "nope"); r.code != ExitInvalid || !strings.Contains(r.stderr, "local, prod") {
		t.Fatalf("unknown profile: exit %d, stderr %s; want %d listing the profiles", r.code, r.stderr, ExitInvalid)
	}
}

// TestTableColumnsAlign: the goldens squeeze spaces (a normalized field can
// change a width), so alignment is checked here: in get's table every value
// starts in the same column.
func TestTableColumnsAlign(t *testing.T) {
	must(t, "", "put", "align:k", "v", "--ttl", "1h", nodesFlag())
	out := must(t, "", "get", "align:k", "-o", "table", nodesFlag())
	col := -1
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		label := strings.Index(l, "  ")
		start := label + len(l[label:]) - len(strings.TrimLeft(l[label:], " "))
		if col == -1 {
			col = start
		}
		if label < 0 || start != col {
			t.Fatalf("value of %q starts at column %d, want %d:\n%s", l, start, col, out)
		}
	}
}
