package headless

import (
	"fmt"
	"strings"
)

// flagSpec describes one flag of a command.
type flagSpec struct {
	name  string // without dashes
	value bool   // takes a value (else boolean)
}

// globalFlags are accepted by every command. Those also known to the console
// (profile, nodes, shards, read-only, config) are handed to the console's
// own flag code so both resolve a cluster the same way.
func globalFlags() []flagSpec {
	return []flagSpec{
		{name: "profile", value: true}, {name: "nodes", value: true}, {name: "shards", value: true},
		{name: "config", value: true}, {name: "read-only"},
		{name: "output", value: true}, {name: "o", value: true}, {name: "help"}, {name: "h"},
	}
}

// isConsoleFlag tells the globals forwarded to app.ParseFlags.
func isConsoleFlag(name string) bool {
	switch name {
	case "profile", "nodes", "shards", "config", "read-only":
		return true
	}
	return false
}

// args is a parsed command line: flags (by name, the last one wins),
// positional arguments in order, and the console flags to forward.
type args struct {
	values  map[string]string
	bools   map[string]bool
	pos     []string
	console []string
}

func (a *args) value(name string) (string, bool) { v, ok := a.values[name]; return v, ok }

// usageError is bad input on the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// parseArgs reads flags before, between and after positional arguments, so
// `get KEY --output json` and `get --output json KEY` are the same. "--" ends
// flags; "-" (stdin) and negative numbers like -0.5 are positional.
func parseArgs(cmd string, specs []flagSpec, in []string) (*args, error) {
	known := map[string]flagSpec{}
	for _, s := range append(globalFlags(), specs...) {
		known[s.name] = s
	}
	a := &args{values: map[string]string{}, bools: map[string]bool{}}
	for i := 0; i < len(in); i++ {
		tok := in[i]
		if tok == "--" {
			a.pos = append(a.pos, in[i+1:]...)
			break
		}
		if !isFlag(tok) {
			a.pos = append(a.pos, tok)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(tok, "-"), "=")
		spec, ok := known[name]
		name = canonical(name)
		if !ok {
			return nil, usagef("unknown flag %s for %q%s (see norikv-console %s --help)", tok, cmd, suggestFlag(name, specs), cmd)
		}
		if spec.value && !hasVal {
			if i+1 >= len(in) {
				return nil, usagef("flag --%s needs a value (see norikv-console %s --help)", name, cmd)
			}
			i++
			val = in[i]
		}
		if !spec.value {
			b, err := parseBool(val, hasVal)
			if err != nil {
				return nil, usagef("flag --%s: %v", name, err)
			}
			a.bools[name] = b
			if isConsoleFlag(name) {
				a.console = append(a.console, fmt.Sprintf("--%s=%t", name, b))
			}
			continue
		}
		a.values[name] = val
		if isConsoleFlag(name) {
			a.console = append(a.console, "--"+name+"="+val)
		}
	}
	return a, nil
}

// canonical maps the short aliases to their flag, so the last one given
// wins whichever spelling it used.
func canonical(name string) string {
	switch name {
	case "o":
		return "output"
	case "h":
		return "help"
	}
	return name
}

// isFlag tells flags from positional arguments: "-" is stdin and "-0.5" a
// negative number.
func isFlag(tok string) bool {
	if len(tok) < 2 || tok[0] != '-' {
		return false
	}
	c := tok[1]
	return !(c >= '0' && c <= '9') && c != '.'
}

func parseBool(val string, hasVal bool) (bool, error) {
	if !hasVal {
		return true, nil
	}
	switch strings.ToLower(val) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", val)
}

// suggestFlag names the closest flag of the command, or "".
func suggestFlag(name string, specs []flagSpec) string {
	var names []string
	for _, s := range append(globalFlags(), specs...) {
		if len(s.name) > 1 {
			names = append(names, s.name)
		}
	}
	if best := closest(name, names); best != "" {
		return ": did you mean --" + best + "?"
	}
	return ""
}

// closest returns the candidate nearest to s by edit distance (or sharing
// its prefix), or "" when none is near enough to be a plausible typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editDistance(s, c)
		if len(s) >= 2 && strings.HasPrefix(c, s) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
