package node

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRestartHoldFromTheAliveNote(t *testing.T) {
	hb := 1200 * time.Millisecond
	start := time.Now()
	now := aliveNote{boot: "b1", since: 100 * time.Second}
	note := func(boot string, since time.Duration) []byte {
		return []byte(aliveNote{boot: boot, since: since}.String())
	}
	cases := []struct {
		name    string
		prev    []byte
		readErr error
		ok      bool
		want    time.Duration // hold from start; 0: none
		why     string
	}{
		{"down 200ms", note("b1", now.since-200*time.Millisecond), nil, true, hb + aliveEvery - 200*time.Millisecond, "down at most 300ms"},
		{"down longer than a heartbeat timeout", note("b1", now.since-2*time.Second), nil, true, 0, "down 2s"},
		{"rebooted", note("b0", now.since-10*time.Millisecond), nil, true, 0, "rebooted"},
		{"no note", nil, os.ErrNotExist, true, hb, "no note"},
		{"unreadable note", nil, errors.New("permission denied"), true, hb, "cannot be read: permission denied"},
		{"damaged note", []byte("b1 12x\n"), nil, true, hb, "damaged"},
		{"no boot clock", note("b1", now.since), nil, false, hb, "no boot clock"},
		{"note from the future", note("b1", now.since+time.Hour), nil, true, hb + aliveEvery, "ahead of the boot clock"},
	}
	for _, c := range cases {
		until, why := restartHold(c.prev, c.readErr, now, c.ok, hb, start)
		var got time.Duration
		if !until.IsZero() {
			got = until.Sub(start)
		}
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s: hold %v (%q), want %v (%q)", c.name, got, why, c.want, c.why)
		}
	}
}

func TestAliveNoteRoundTrip(t *testing.T) {
	for _, a := range []aliveNote{{"3f1c9a1e-0b7d-4c1e-9a55-1f6f2c1d7e42", 0}, {"x", 123456789012345}} {
		s := a.String()
		if len(s) != len(aliveNote{boot: "3f1c9a1e-0b7d-4c1e-9a55-1f6f2c1d7e42"}.String()) {
			t.Errorf("note %q is not fixed width", s)
		}
		b, err := parseAliveNote([]byte(s))
		if err != nil || b != a {
			t.Errorf("parse(%q) = %v, %v; want %v", s, b, err, a)
		}
	}
}

// TestAliveNoteKeptWhileRunning checks that a running node's note stays
// current and that Close leaves a last one: a node restarted right after
// holds, one restarted after a heartbeat timeout does not.
func TestAliveNoteKeptWhileRunning(t *testing.T) {
	if _, ok := bootClock(); !ok {
		t.Skip("no boot clock on this system")
	}
	dir := t.TempDir()
	hb := 300 * time.Millisecond
	a, until, _, err := openAliveNote(dir, hb, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if until.IsZero() {
		t.Fatal("a first start with no note must hold (it cannot tell how long it was down)")
	}
	time.Sleep(3 * aliveEvery)
	a.close()
	a2, until, why, err := openAliveNote(dir, hb, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a2.close()
	if until.IsZero() {
		t.Fatalf("restarted right after a close: no hold (%s)", why)
	}
	time.Sleep(hb + 2*aliveEvery)
	b, until, why, err := openAliveNote(dir, hb, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if !until.IsZero() {
		t.Fatalf("restarted more than a heartbeat timeout after the last note: hold until %v (%s)", until, why)
	}
}
