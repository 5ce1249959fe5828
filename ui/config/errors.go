package config

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3's messages speak Go ("field themee not found in type
// config.File", "cannot unmarshal !!str `abc` into int") and put parser
// errors (as opposed to scanner errors) one line early, since it reports
// their 0-based context line. These helpers turn them into user words at
// the right line.

// settingsOf lists the settings each section takes, by the Go type yaml.v3
// names in its errors.
func settingsOf(goType string) (section string, names []string) {
	switch goType {
	case "config.File":
		return "", []string{"default_profile", "theme", "refresh", "profiles", "keys"}
	case "config.Profile":
		return "a profile", []string{"nodes", "total_shards", "timeout", "read_only", "theme", "tls"}
	case "config.TLS":
		return "tls", []string{"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"}
	}
	return "", nil
}

// parserErrors are yaml.v3's parser (not scanner) messages, whose line is
// one early.
var parserErrors = []string{"did not find expected", "found undefined tag handle", "found incompatible YAML document", "found duplicate %"}

var (
	lineRE       = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownRE    = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	unmarshalRE  = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
	duplicateKey = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// syntaxError rewords a YAML syntax error, fixing its line.
func syntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return fmt.Errorf("YAML syntax: %s", msg)
	}
	line, _ := strconv.Atoi(m[1])
	for _, p := range parserErrors {
		if strings.HasPrefix(m[2], p) {
			line++
			break
		}
	}
	return fmt.Errorf("line %d: YAML syntax: %s%s", line, m[2], syntaxHint(m[2]))
}

// syntaxHint says what a parser error usually means; its line is where the
// unfinished construct starts.
func syntaxHint(msg string) string {
	switch {
	case strings.HasPrefix(msg, "did not find expected ',' or ']'"):
		return ": the [ list on this line is not closed"
	case strings.HasPrefix(msg, "did not find expected ',' or '}'"):
		return ": the { section on this line is not closed"
	case strings.HasPrefix(msg, "did not find expected key"):
		return " in the section starting here: check the indentation of the lines under it"
	case strings.HasPrefix(msg, "did not find expected '-' indicator"):
		return " in the list starting here: check the indentation of its items"
	}
	return ""
}

// decodeError rewords yaml.v3's decoding errors (unknown settings, wrong
// types); root is the parsed document, to name the setting at a line.
func decodeError(err error, root *yaml.Node) error {
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
	case strings.HasPrefix(err.Error(), "yaml: "):
		return syntaxError(err)
	default:
		return err // ours (Duration.UnmarshalYAML), already in user words
	}
	out := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		out = append(out, reword(e, root))
	}
	return errors.New(strings.Join(out, "; "))
}

func reword(e string, root *yaml.Node) string {
	m := lineRE.FindStringSubmatch(e)
	if m == nil {
		return e
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if u := unknownRE.FindStringSubmatch(text); u != nil {
		section, names := settingsOf(u[2])
		where := ""
		if section != "" {
			where = " in " + section
		}
		s := fmt.Sprintf("line %d: unknown setting `%s`%s", line, u[1], where)
		if best := closest(u[1], names); best != "" {
			return s + fmt.Sprintf(", did you mean `%s`?", best)
		}
		return s + " (settings: " + strings.Join(names, ", ") + ")"
	}
	if d := duplicateKey.FindStringSubmatch(text); d != nil {
		return fmt.Sprintf("line %d: `%s` is set twice (first at line %s): keep one", line, d[1], d[2])
	}
	if u := unmarshalRE.FindStringSubmatch(text); u != nil {
		name := keyAtLine(root, line)
		prefix := fmt.Sprintf("line %d: ", line)
		if name != "" {
			prefix += name + ": "
		}
		return prefix + wrongType(u[1], u[2], u[3])
	}
	return e
}

// wrongType says what was expected, from yaml's tag and Go type.
func wrongType(tag, value, goType string) string {
	got := "a " + map[string]string{"seq": "list", "map": "section", "str": "text", "int": "number", "bool": "true/false", "float": "number", "null": "empty value"}[tag]
	if value != "" {
		got = "`" + value + "`"
	}
	switch {
	case strings.HasPrefix(goType, "[]"):
		return got + " is not a list: write e.g. [a, b] or one item per line starting with -"
	case strings.HasPrefix(goType, "map["), goType == "config.File", goType == "config.Profile", goType == "config.TLS":
		return got + " is not a section: write name: value lines indented under it"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return got + " is not a whole number"
	case goType == "bool":
		return got + " is not true or false"
	case goType == "string":
		return got + " is not text: quote it"
	}
	return got + " has the wrong type here"
}

// keyAtLine finds the name of the mapping key on line, as a dotted path.
func keyAtLine(root *yaml.Node, line int) string {
	var walk func(n *yaml.Node, path []string) string
	walk = func(n *yaml.Node, path []string) string {
		if n == nil {
			return ""
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := append(append([]string(nil), path...), k.Value)
				if k.Line == line {
					return strings.Join(p, ".")
				}
				if s := walk(v, p); s != "" {
					return s
				}
			}
			return ""
		}
		for _, c := range n.Content {
			if s := walk(c, path); s != "" {
				return s
			}
		}
		return ""
	}
	return walk(root, nil)
}

// closest returns the candidate nearest to s (edit distance at most 2, or
// a prefix), or "".
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		d := distance(strings.ToLower(s), c)
		if strings.HasPrefix(c, strings.ToLower(s)) && len(s) >= 3 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
