package keys

import (
	"bytes"
	"testing"
	"time"
)

// FuzzParseTTL: any text gives a TTL within the server's limits or an
// error, never a panic; what durationText writes ParseTTL reads back.
func FuzzParseTTL(f *testing.F) {
	for _, s := range []string{"", "0", "none", "30s", "5m", "1h30m", "2d", "1.5d", "90", "-1s", "1e300d", "NaNd", "infd", "33s1h", "1h27ssoon", "999999999999999999", "0.0001s", " 4m33s ", "—"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseTTL(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: empty error", s)
			}
			return
		}
		if d != 0 && (d < time.Millisecond || d > maxTTL) {
			t.Fatalf("%q parsed to %v, outside 1ms..100 years", s, d)
		}
		if d >= time.Second {
			want := d.Truncate(time.Second)
			if back, err := ParseTTL(durationText(d)); err != nil || back != want {
				t.Fatalf("%q: durationText(%v) = %q reads back as %v, %v", s, d, durationText(d), back, err)
			}
		}
	})
}

// FuzzKeyRoundTrip: a key shown with DisplayKey is read back by ParseKey
// byte for byte, and ParseKey never panics.
func FuzzKeyRoundTrip(f *testing.F) {
	for _, s := range []string{"user:42", `"bin:\x00"`, `"`, `""`, "\x00\xff", "héllo", "tab\there", `"unterminated`, "a\"b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, k []byte) {
		if _, err := ParseKey(string(k)); err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
		if len(k) == 0 || len(k) > 1024 {
			return
		}
		back, err := ParseKey(DisplayKey(k))
		if err != nil || !bytes.Equal(back, k) {
			t.Fatalf("key %q shown as %s reads back as %q, %v", k, DisplayKey(k), back, err)
		}
	})
}

// FuzzHexText: the hex editor's text reads back to the bytes it showed,
// and any typed text gives bytes or an error.
func FuzzHexText(f *testing.F) {
	for _, s := range []string{"", "00", "de ad be ef", "0", "zz", "00\n01", "ａｂ"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if back, err := parseHexText(toHexText(b)); err != nil || !bytes.Equal(back, b) {
			t.Fatalf("%x: read back %x, %v", b, back, err)
		}
		_, _ = parseHexText(string(b))
	})
}
