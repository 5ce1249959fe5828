package keys

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestDisplayAndParseKeyRoundTrip(t *testing.T) {
	for _, k := range []string{"user:1", "\x00\x01bin", "tab\there", "\xff\xfe", `"quoted"`, "ünïcode ключ"} {
		shown := DisplayKey([]byte(k))
		back, err := ParseKey(shown)
		if err != nil || !bytes.Equal(back, []byte(k)) {
			t.Errorf("%q shown as %s reads back as %q, %v", k, shown, back, err)
		}
	}
	if DisplayKey([]byte("user:1")) != "user:1" || DisplayKey([]byte("a\x00")) != `"a\x00"` {
		t.Error("printable keys are shown as is, others quoted")
	}
	for _, bad := range []string{"", `"\q"`, strings.Repeat("k", 1025)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}

func TestFormatTTL(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[time.Duration]string{
		-time.Second: "expired", 0: "expired", 300 * time.Millisecond: "<1s", 42 * time.Second: "42s",
		4*time.Minute + 12*time.Second + 700*time.Millisecond: "4m12s", 3*time.Hour + 5*time.Minute: "3h05m",
		50 * time.Hour: "2d02h",
	}
	for d, want := range cases {
		if got := FormatTTL(now.Add(d), now); got != want {
			t.Errorf("FormatTTL(%v) = %q, want %q", d, got, want)
		}
	}
	if FormatTTL(time.Time{}, now) != "—" {
		t.Error("no TTL is not a dash")
	}
}

func TestParseTTL(t *testing.T) {
	good := map[string]time.Duration{
		"": 0, "0": 0, "none": 0, "30s": 30 * time.Second, "5m": 5 * time.Minute, "1h30m": 90 * time.Minute,
		"2d": 48 * time.Hour, "90": 90 * time.Second, " 1H ": time.Hour, "250ms": 250 * time.Millisecond,
	}
	for in, want := range good {
		if got, err := ParseTTL(in); err != nil || got != want {
			t.Errorf("ParseTTL(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{"soon": "not a duration", "-5m": "negative", "1ns": "under a millisecond", "200y": "not a duration", "40000d": "100 years"}
	for in, want := range bad {
		if _, err := ParseTTL(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTTL(%q) error %v, want %q", in, err, want)
		}
	}
	for _, d := range []time.Duration{4*time.Minute + 12*time.Second, 5 * time.Minute, time.Hour, 90 * time.Minute, 26 * time.Hour, 300 * time.Millisecond} {
		if got, err := ParseTTL(durationText(d)); err != nil || got != d {
			t.Errorf("durationText(%v) = %q reads back as %v, %v", d, durationText(d), got, err)
		}
	}
}

func TestFormatSizeAndVersion(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 3 << 20: "3.0 MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestFormatSizeFitsTheSizeColumn: every size fits the list's SIZE column;
// a value of 1 MiB less 64 bytes read "1023.9 KiB", one column too wide,
// which pushed its TTL off the row.
func TestFormatSizeFitsTheSizeColumn(t *testing.T) {
	for n, want := range map[uint64]string{1<<20 - 64: "1.0 MiB", 999 << 10: "999.0 KiB", 1<<30 - 1: "1.0 GiB", 5 << 40: "5.0 TiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
	for shift := 0; shift < 64; shift++ {
		for _, n := range []uint64{1 << shift, 1<<shift - 1, 1<<shift + 1<<shift/2, 1<<shift - 1<<max(0, shift-11)} {
			if got := FormatSize(n); len(got) > sizeW {
				t.Errorf("FormatSize(%d) = %q, %d wide, the column is %d", n, got, len(got), sizeW)
			}
		}
	}
}

func TestValueLines(t *testing.T) {
	if got := valueLines([]byte(`{"a":[1,2]}`), 40, false); strings.Join(got, "|") != `{|  "a": [|    1,|    2|  ]|}` {
		t.Errorf("JSON not indented: %q", got)
	}
	if got := valueLines([]byte("abcdefghij"), 4, false); strings.Join(got, "|") != "abcd|efgh|ij" {
		t.Errorf("long text not wrapped: %q", got)
	}
	if got := valueLines([]byte("a\tb\nc"), 20, false); strings.Join(got, "|") != "a    b|c" {
		t.Errorf("tabs and newlines: %q", got)
	}
	wide := hexDump(bytes.Repeat([]byte{'A'}, 20), 80)
	if len(wide) != 2 || wide[0] != "00000000  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 |AAAAAAAAAAAAAAAA|" {
		t.Errorf("hex dump at 80 columns: %q", wide)
	}
	if narrow := hexDump([]byte("0123456789"), 40); len(narrow) != 3 || !strings.HasPrefix(narrow[1], "00000004  34 35 36 37") {
		t.Errorf("hex dump at 40 columns: %q", narrow)
	}
}

func TestHexTextRoundTrip(t *testing.T) {
	b := []byte{0, 1, 2, 0xff, 'a', '\n'}
	for i := 0; i < 20; i++ {
		b = append(b, byte(i*13))
	}
	text := toHexText(b)
	if strings.Count(text, "\n") != 1 {
		t.Errorf("hex text lines: %q", text)
	}
	back, err := parseHexText(text)
	if err != nil || !bytes.Equal(back, b) {
		t.Fatalf("round trip: %v %x", err, back)
	}
	if _, err := parseHexText("0g"); err == nil {
		t.Error("bad digit accepted")
	}
}
