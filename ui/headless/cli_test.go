package headless

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestExitCodes: each failure class has its own exit code, and the error is
// one line on stderr (a JSON object with --output json) with stdout empty.
func TestExitCodes(t *testing.T) {
	must(t, "", "put", "exit:k", "v", nodesFlag())
	cases := []struct {
		name string
		argv []string
		code int
		kind string
	}{
		{"not found", []string{"get", "exit:missing", nodesFlag()}, ExitNotFound, "not_found"},
		{"cas conflict", []string{"cas", "exit:k", "--from", "1/1", "x", nodesFlag()}, ExitConflict, "cas_conflict"},
		{"bad version", []string{"cas", "exit:k", "--from", "latest", "x", nodesFlag()}, ExitInvalid, "invalid_input"},
		{"bad ttl", []string{"put", "exit:k", "v", "--ttl", "soon", nodesFlag()}, ExitInvalid, "invalid_input"},
		{"missing argument", []string{"put", "exit:k", nodesFlag()}, ExitInvalid, "invalid_input"},
		{"unknown flag", []string{"get", "exit:k", "--consistncy", "lease", nodesFlag()}, ExitInvalid, "invalid_input"},
		{"bad output", []string{"get", "exit:k", "-o", "xml", nodesFlag()}, ExitInvalid, "invalid_input"},
		{"bad nodes", []string{"get", "exit:k", "--nodes", "localhost"}, ExitInvalid, "invalid_input"},
		{"no cluster", []string{"get", "exit:k"}, ExitInvalid, "invalid_input"},
		{"unavailable", []string{"get", "exit:k", "--nodes", "127.0.0.1:1"}, ExitUnavailable, "unavailable"},
		{"read-only put", []string{"put", "exit:k", "w", "--read-only", nodesFlag()}, ExitReadOnly, "read_only"},
		{"read-only delete", []string{"delete", "exit:k", "--read-only", nodesFlag()}, ExitReadOnly, "read_only"},
		{"read-only ttl", []string{"ttl", "exit:k", "--set", "1m", "--read-only", nodesFlag()}, ExitReadOnly, "read_only"},
		{"read-only index", []string{"index", "create", "ro", "3", "cosine", "--read-only", nodesFlag()}, ExitReadOnly, "read_only"},
		{"read-only insert", []string{"insert", "ro", "a", "1,2,3", "--read-only", nodesFlag()}, ExitReadOnly, "read_only"},
		{"unknown command", []string{"gte", "exit:k"}, ExitInvalid, "invalid_input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The format goes first: a later -o in the case wins.
			r := run(t, "", append([]string{"-o", "json"}, c.argv...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d; stderr %s", r.code, c.code, r.stderr)
			}
			if r.stdout != "" {
				t.Fatalf("stdout should be empty on failure, got %q", r.stdout)
			}
			if strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("stderr is not one line: %q", r.stderr)
			}
			var e struct {
				Error    string `json:"error"`
				Kind     string `json:"kind"`
				ExitCode int    `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(r.stderr), &e); err != nil || e.Kind != c.kind || e.ExitCode != c.code || e.Error == "" {
				t.Fatalf("stderr %q: want a JSON object of kind %s, exit_code %d (%v)", r.stderr, c.kind, c.code, err)
			}
			// The same failure as a table: one plain line naming the command.
			r = run(t, "", append([]string{"-o", "table"}, c.argv...)...)
			if r.code != c.code || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "norikv-console") || strings.HasPrefix(r.stderr, "{") {
				t.Fatalf("table mode: exit %d, stderr %q; want exit %d and one plain line", r.code, r.stderr, c.code)
			}
		})
	}
}

// TestUnknownCommandAndFlagSuggestions: typos get the closest valid name.
func TestUnknownCommandAndFlagSuggestions(t *testing.T) {
	cases := []struct {
		argv []string
		want string
	}{
		{[]string{"gte", "k"}, `did you mean "get"?`},
		{[]string{"stauts"}, `did you mean "status"?`},
		{[]string{"sacn", "--prefix", "a"}, `did you mean "scan"?`},
		{[]string{"devclster"}, `did you mean "devcluster"?`},
		{[]string{"scan", "--prefx", "a"}, "did you mean --prefix?"},
		{[]string{"get", "k", "--nods", "x"}, "did you mean --nodes?"},
		{[]string{"search", "ns", "--exatc"}, "did you mean --exact?"},
		{[]string{"index", "lst", nodesFlag()}, `did you mean "list"?`},
		{[]string{"get", "k", "--output", "jsn"}, "did you mean json?"},
	}
	for _, c := range cases {
		r := run(t, "", append([]string{"-o", "table"}, c.argv...)...)
		if r.code != ExitInvalid || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.argv, r.code, r.stderr, ExitInvalid, c.want)
		}
	}
	if r := run(t, "", "zzzzzz"); !strings.Contains(r.stderr, "commands: cas, delete, get") || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("a word near no command lists them all without a guess: %q", r.stderr)
	}
}

// TestHelpOfEveryCommand: --help prints the command's usage (exit 0, no
// cluster needed), and it names every flag the command accepts.
func TestHelpOfEveryCommand(t *testing.T) {
	for _, c := range commands() {
		for _, h := range []string{"--help", "-h"} {
			r := run(t, "", c.name, h)
			if r.code != ExitOK || !strings.HasPrefix(r.stdout, "Usage: norikv-console "+c.name) {
				t.Fatalf("%s %s: exit %d, stdout %q", c.name, h, r.code, r.stdout)
			}
			for _, f := range append(globalFlags(), c.flags...) {
				dash := "--"
				if len(f.name) == 1 {
					dash = "-"
				}
				if !strings.Contains(r.stdout, dash+f.name) {
					t.Errorf("%s --help does not mention %s%s", c.name, dash, f.name)
				}
			}
			if !strings.Contains(r.stdout, "Exit codes") {
				t.Errorf("%s --help does not list the exit codes", c.name)
			}
		}
		if !strings.Contains(Usage(), c.name) {
			t.Errorf("Usage() misses %s", c.name)
		}
	}
}

// TestHelpCommand: `help` lists the console's usage and the shell commands;
// `help COMMAND` is COMMAND --help.
func TestHelpCommand(t *testing.T) {
	if out := must(t, "", "help"); !strings.Contains(out, "norikv-console devcluster") || !strings.Contains(out, "Shell commands") || !strings.Contains(out, "  search ") {
		t.Fatalf("help printed:\n%s", out)
	}
	if out := must(t, "", "help", "scan"); !strings.HasPrefix(out, "Usage: norikv-console scan") {
		t.Fatalf("help scan printed:\n%s", out)
	}
	if r := run(t, "", "help", "sacn", "-o", "table"); r.code != ExitInvalid || !strings.Contains(r.stderr, `did you mean "scan"`) {
		t.Fatalf("help sacn: exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestSplit: the command word is found after global flags and their values.
func TestSplit(t *testing.T) {
	cases := []struct {
		argv []string
		name string
		rest []string
	}{
		{[]string{"get", "k"}, "get", []string{"k"}},
		{[]string{"--profile", "prod", "status"}, "status", []string{"--profile", "prod"}},
		{[]string{"--read-only", "--nodes=a:1", "put", "k", "v"}, "put", []string{"--read-only", "--nodes=a:1", "k", "v"}},
		{[]string{"--theme", "dark", "--read-only"}, "", []string{"--theme", "dark", "--read-only"}},
		{nil, "", nil},
	}
	for _, c := range cases {
		name, rest := Split(c.argv)
		if name != c.name || !reflect.DeepEqual(rest, c.rest) {
			t.Errorf("Split(%q) = %q %q, want %q %q", c.argv, name, rest, c.name, c.rest)
		}
	}
}

// TestOutputDefault: a table on a terminal, JSON otherwise.
func TestOutputDefault(t *testing.T) {
	a := &args{values: map[string]string{}}
	if f, _ := outputFormat(a, true); f != formatTable {
		t.Errorf("terminal default %q, want table", f)
	}
	if f, _ := outputFormat(a, false); f != formatJSON {
		t.Errorf("pipe default %q, want json", f)
	}
}
