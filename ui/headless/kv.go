package headless

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/views/keys"
)

// keyResult is a key as get, put, cas, delete and ttl report it. Value is
// base64 in JSON and YAML, so any bytes survive.
type keyResult struct {
	Key       string  `json:"key" yaml:"key"`
	Value     *string `json:"value,omitempty" yaml:"value,omitempty"`
	Size      *int    `json:"size,omitempty" yaml:"size,omitempty"`
	Version   string  `json:"version,omitempty" yaml:"version,omitempty"`
	TTLMs     int64   `json:"ttl_ms,omitempty" yaml:"ttl_ms,omitempty"`
	ExpiresAt string  `json:"expires_at,omitempty" yaml:"expires_at,omitempty"`
	Shard     *int    `json:"shard,omitempty" yaml:"shard,omitempty"`
	ServedBy  string  `json:"served_by,omitempty" yaml:"served_by,omitempty"`
	Deleted   *bool   `json:"deleted,omitempty" yaml:"deleted,omitempty"`

	raw     []byte
	showTTL bool
}

func (r *keyResult) table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("key", r.Key)
	if r.Size != nil {
		row("value", textOf(r.raw))
		row("size", fmt.Sprintf("%d bytes", *r.Size))
	}
	if r.Version != "" {
		row("version", r.Version)
	}
	if r.showTTL {
		row("ttl", ttlText(r.TTLMs, r.ExpiresAt))
	}
	if r.Shard != nil {
		row("shard", strconv.Itoa(*r.Shard))
	}
	if r.ServedBy != "" {
		row("served by", r.ServedBy)
	}
	if r.Deleted != nil {
		row("deleted", strconv.FormatBool(*r.Deleted))
	}
	return tw.Flush()
}

// textOf shows a value on one line: as is when it is printable text, else
// Go-quoted (binary; --raw writes the bytes).
// Long values are cut at previewBytes.
func textOf(v []byte) string {
	cut := ""
	if len(v) > previewBytes {
		v, cut = v[:previewBytes], fmt.Sprintf("… (first %d bytes; --raw writes them all)", previewBytes)
	}
	s := string(v)
	if utf8.Valid(v) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return s + cut
	}
	if cut == "" {
		cut = " (not printable text: --raw writes the bytes)"
	}
	return strconv.Quote(s) + cut
}

// previewBytes bounds the value shown in a table.
const previewBytes = 200

func ttlText(ms int64, expires string) string {
	if expires == "" {
		return "none"
	}
	return fmt.Sprintf("%s (expires %s)", (time.Duration(ms) * time.Millisecond).Round(time.Second), expires)
}

// setExpiry fills the TTL fields from an absolute expiry.
func (r *keyResult) setExpiry(exp time.Time) {
	r.showTTL = true
	if exp.IsZero() {
		return
	}
	r.TTLMs = max(0, time.Until(exp).Milliseconds())
	r.ExpiresAt = exp.UTC().Format(time.RFC3339)
}

func fmtVersion(v client.Version) string { return keys.FormatVersion(v) }

// parseVersion reads a version written TERM/INDEX, e.g. 3/17.
func parseVersion(flag, s string) (*client.Version, error) {
	t, i, ok := strings.Cut(s, "/")
	term, err1 := strconv.ParseUint(strings.TrimSpace(t), 10, 64)
	index, err2 := strconv.ParseUint(strings.TrimSpace(i), 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, usagef("--%s %q is not a version: write TERM/INDEX as get prints it, e.g. 3/17", flag, s)
	}
	return &client.Version{Term: term, Index: index}, nil
}

// parseKeyArg reads a KEY argument: literal, or Go-quoted for binary keys.
func parseKeyArg(s string) ([]byte, error) {
	k, err := keys.ParseKey(s)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return k, nil
}

// valueArg reads a VALUE argument; "-" reads stdin to the end, bytes as is.
func (x *exec) valueArg(s string) ([]byte, error) {
	if s != "-" {
		return []byte(s), nil
	}
	b, err := io.ReadAll(x.stdin)
	if err != nil {
		return nil, fmt.Errorf("read the value from stdin: %w", err)
	}
	return b, nil
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, a *args, n int, names string) error {
	if len(a.pos) != n {
		return usagef("%s takes %s (got %d argument%s: %s); see norikv-console %s --help",
			cmd, names, len(a.pos), plural(len(a.pos)), strings.Join(quoteAll(a.pos), " "), cmd)
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func b64(v []byte) string { return base64.StdEncoding.EncodeToString(v) }
