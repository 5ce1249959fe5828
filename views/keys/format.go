package keys

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// DisplayKey renders a key for the screen: as is when it is printable UTF-8
// that terminals draw as wide as it is measured, else Go-quoted with escapes
// ("\x00...", "👍\U0001f3fd"), which ParseKey reads back (common.DisplayKey).
func DisplayKey(k []byte) string { return common.DisplayKey(k) }

// ParseKey reads a key typed by the user: a Go-quoted string ("\x00ab")
// gives its unquoted bytes, anything else is taken literally
// (common.ParseKey, which the palette uses too).
func ParseKey(s string) ([]byte, error) { return common.ParseKey(s) }

// isPrintable reports whether b is valid UTF-8 without control characters;
// multiline allows newlines and tabs.
func isPrintable(b []byte, multiline bool) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// FormatTTL renders the time left until expiry: "—" without a TTL,
// "expired", "<1s", "42s", "4m12s", "3h05m", "2d04h".
func FormatTTL(expires, now time.Time) string {
	if expires.IsZero() {
		return "—"
	}
	d := expires.Sub(now)
	switch {
	case d <= 0:
		return "expired"
	case d < time.Second:
		return "<1s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
}

// maxTTL is the server's limit on ttl_ms (PROTOCOL §4: 100 years).
const maxTTL = 100 * 365 * 24 * time.Hour

// ParseTTL reads a TTL typed by the user: a duration like 30s, 5m, 1h30m or
// 2d, a bare number of seconds, or ""/0/none for no expiry (returns 0).
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "", "0", "none", "never", "-", "—":
		return 0, nil
	}
	var d time.Duration
	var err error
	switch {
	case strings.HasSuffix(s, "d"):
		var n float64
		n, err = strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		d = time.Duration(n * float64(24*time.Hour))
	case strings.Trim(s, "0123456789") == "":
		var n int64
		n, err = strconv.ParseInt(s, 10, 64)
		d = time.Duration(n) * time.Second
	default:
		d, err = time.ParseDuration(s)
	}
	if err != nil {
		return 0, fmt.Errorf("TTL %q is not a duration: write e.g. 30s, 5m, 1h or 2d (0 or none removes the TTL)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("TTL %q is negative: use 0 or none to remove the TTL", s)
	}
	if d < time.Millisecond {
		return 0, fmt.Errorf("TTL %q is under a millisecond: use at least 1ms, or 0 to remove the TTL", s)
	}
	if d > maxTTL {
		return 0, fmt.Errorf("TTL %q is over the server's limit of 100 years", s)
	}
	return d, nil
}

// durationText renders d so that ParseTTL reads it back: "4m12s", "5m",
// "1h30m"; "" for no time.
func durationText(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Second:
		return d.String()
	}
	d = d.Truncate(time.Second) // like FormatTTL: never more than is left
	h, m, sec := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	return b.String()
}

// FormatSize renders a byte count: "38 B", "1.2 KiB", "3.0 MiB".
func FormatSize(n uint64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	// The next unit from 999.95 on: "1023.9 KiB" (a value of 1 MiB less a
	// few bytes) was wider than the list's SIZE column and pushed TTL off.
	v := float64(n) / 1024
	for _, unit := range []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"} {
		if v < 999.95 || unit == "EiB" { // 2^64 is 16 EiB
			return fmt.Sprintf("%.1f %s", v, unit)
		}
		v /= 1024
	}
	return ""
}

// FormatVersion renders a version as "term/index".
func FormatVersion(v client.Version) string { return fmt.Sprintf("%d/%d", v.Term, v.Index) }

// valueKind says how a value is shown.
type valueKind int

const (
	kindText valueKind = iota
	kindJSON
	kindBinary
)

func (k valueKind) String() string {
	return [...]string{"text", "JSON", "binary"}[k]
}

// kindOf classifies a value: JSON objects and arrays, printable text, or
// binary.
func kindOf(v []byte) valueKind {
	if !isPrintable(v, true) {
		return kindBinary
	}
	t := bytes.TrimSpace(v)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t) {
		return kindJSON
	}
	return kindText
}

// valueLines renders a value in lines of at most width columns: text
// wrapped, JSON indented, binary (or hex forced) as a hex dump.
func valueLines(v []byte, width int, forceHex bool) []string {
	if width < 1 {
		return nil
	}
	kind := kindOf(v)
	if forceHex || kind == kindBinary {
		return hexDump(v, width)
	}
	text := string(v)
	if kind == kindJSON {
		var b bytes.Buffer
		if err := json.Indent(&b, bytes.TrimSpace(v), "", "  "); err == nil {
			text = b.String()
		}
	}
	text = strings.ReplaceAll(text, "\t", "    ")
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		out = append(out, strings.Split(ansi.Hardwrap(l, width, true), "\n")...)
	}
	return out
}

// hexDump renders b as "offset  hex bytes  |ascii|" lines, with as many
// bytes per line (16, 8 or 4) as fit in width.
func hexDump(b []byte, width int) []string {
	per := hexPerLine(width)
	const digits = "0123456789abcdef"
	out := make([]string, 0, len(b)/per+1)
	line := make([]byte, 0, 10+per*4+2)
	for off := 0; off < len(b); off += per {
		chunk := b[off:min(off+per, len(b))]
		line = line[:0]
		for shift := 28; shift >= 0; shift -= 4 {
			line = append(line, digits[(off>>shift)&0xf])
		}
		line = append(line, ' ', ' ')
		for i := 0; i < per; i++ {
			if i < len(chunk) {
				line = append(line, digits[chunk[i]>>4], digits[chunk[i]&0xf], ' ')
			} else {
				line = append(line, ' ', ' ', ' ')
			}
		}
		line = append(line, '|')
		for _, c := range chunk {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			line = append(line, c)
		}
		out = append(out, string(append(line, '|')))
	}
	return out
}

// hexPerLine is how many bytes a hex dump line holds at width: 16, 8 or 4.
func hexPerLine(width int) int {
	for _, n := range []int{16, 8} {
		if 10+n*3+n+2 <= width {
			return n
		}
	}
	return 4
}

// hexBytesPerLine is the width of the hex editor's lines.
const hexBytesPerLine = 16

// toHexText renders b for the hex editor: 16 space-separated bytes a line.
func toHexText(b []byte) string {
	var lines []string
	for off := 0; off < len(b); off += hexBytesPerLine {
		chunk := b[off:min(off+hexBytesPerLine, len(b))]
		parts := make([]string, len(chunk))
		for i, c := range chunk {
			parts[i] = fmt.Sprintf("%02x", c)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "\n")
}

// parseHexText reads the hex editor's text back, ignoring white space.
func parseHexText(s string) ([]byte, error) {
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if len(compact)%2 == 1 {
		return nil, fmt.Errorf("hex value has an odd number of digits (%d): each byte is two digits", len(compact))
	}
	out, err := hex.DecodeString(compact)
	if err != nil {
		return nil, fmt.Errorf("hex value: %w (use digits 0-9 and a-f, two per byte)", err)
	}
	return out, nil
}
