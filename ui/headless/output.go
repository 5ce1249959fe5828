package headless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc/codes"
	"gopkg.in/yaml.v3"

	"github.com/norikv/norikv-console/client"
)

// Output formats.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatYAML  = "yaml"
)

// tabler is a result that can print itself as a table (JSON and YAML come
// from its struct tags).
type tabler interface {
	table(w io.Writer) error
}

// outputFormat reads --output (or -o); the default is a table on a
// terminal and JSON otherwise, so pipes and scripts get something parseable.
func outputFormat(a *args, terminal bool) (string, error) {
	v, ok := a.value("output")
	if !ok {
		if terminal {
			return formatTable, nil
		}
		return formatJSON, nil
	}
	switch v {
	case formatTable, formatJSON, formatYAML:
		return v, nil
	}
	hint := ""
	if best := closest(v, []string{formatTable, formatJSON, formatYAML}); best != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", best)
	}
	return "", usagef("--output %q is not a format%s: use table, json or yaml", v, hint)
}

// guessFormat picks the error format before the flags are parsed (or when
// they fail to parse).
func guessFormat(argv []string, terminal bool) string {
	for i, tok := range argv {
		name, val, hasVal := strings.Cut(strings.TrimLeft(tok, "-"), "=")
		if !isFlag(tok) || (name != "output" && name != "o") {
			continue
		}
		if !hasVal && i+1 < len(argv) {
			val = argv[i+1]
		}
		return val
	}
	if terminal {
		return formatTable
	}
	return formatJSON
}

// emit writes one result in the chosen format.
func (x *exec) emit(r tabler) error {
	switch x.format {
	case formatJSON:
		return json.NewEncoder(x.out).Encode(r)
	case formatYAML:
		enc := yaml.NewEncoder(x.out)
		enc.SetIndent(2)
		if err := enc.Encode(r); err != nil {
			return err
		}
		return enc.Close()
	}
	return r.table(x.out)
}

// errorKind names an error's class and its exit code.
func errorKind(err error) (string, int) {
	var vm *client.VersionMismatchError
	var ue *usageError
	var ce *client.ConnectionError
	var de *degradedError
	switch {
	case errors.As(err, &ue):
		return "invalid_input", ExitInvalid
	case errors.Is(err, errReadOnly):
		return "read_only", ExitReadOnly
	case errors.As(err, &vm):
		return "cas_conflict", ExitConflict
	case errors.Is(err, client.ErrKeyNotFound), errors.Is(err, errNotFound):
		return "not_found", ExitNotFound
	case errors.As(err, &de):
		return "degraded", ExitDegraded
	case errors.As(err, &ce), errors.Is(err, context.DeadlineExceeded):
		return "unavailable", ExitUnavailable
	}
	var e *client.Error
	if errors.As(err, &e) {
		switch e.Code {
		case codes.InvalidArgument, codes.OutOfRange:
			return "invalid_input", ExitInvalid
		case codes.Unavailable, codes.DeadlineExceeded:
			return "unavailable", ExitUnavailable
		}
	}
	return "error", ExitError
}

// errNotFound marks "nothing there" answers that are not client errors
// (a delete of a missing key, a vector id that does not exist).
var errNotFound = errors.New("not found")

// fail prints err as one line on stderr (a JSON object with --output json)
// and returns its exit code.
func fail(stderr io.Writer, format, cmd string, err error) int {
	kind, code := errorKind(err)
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if format == formatJSON {
		b, _ := json.Marshal(struct {
			Error    string `json:"error"`
			Kind     string `json:"kind"`
			ExitCode int    `json:"exit_code"`
			Command  string `json:"command"`
		}{msg, kind, code, cmd})
		fmt.Fprintln(stderr, string(b))
		return code
	}
	if cmd == "norikv-console" {
		fmt.Fprintf(stderr, "norikv-console: %s\n", msg)
	} else {
		fmt.Fprintf(stderr, "norikv-console %s: %s\n", cmd, msg)
	}
	return code
}

// degradedError is an unhealthy cluster reported by status.
type degradedError struct{ problems []string }

func (e *degradedError) Error() string {
	return "cluster degraded: " + strings.Join(e.problems, "; ")
}
