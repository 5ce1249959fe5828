package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/views/keys"
)

// TestBadDataInTheKeysPane: on a real cluster, a 1,005-byte key and a value
// of 1 MiB less 64 bytes. The list cuts the key with "…" and shows the size
// as "1.0 MiB" with the TTL column in place (it read "1023.9 KiB", one
// column too wide, and lost the TTL); the detail title gives the key's
// length.
func TestBadDataInTheKeysPane(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	cl := startCluster(t, freeBasePort(t))
	t.Cleanup(func() { _ = cl.Close() })
	m, d, c := consoleOn(t, cl.Addrs())
	d.until("connected", 30*time.Second, func() bool { return m.ConnState() == StateConnected })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	long := "long:" + strings.Repeat("x", 1000)
	if _, err := c.Put(ctx, []byte(long), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctx, []byte("big"), make([]byte, 1<<20-64), nil); err != nil {
		t.Fatal(err)
	}
	send(m, press("5"))
	kp := m.Active().(*keys.Model)
	_, cmd := m.Update(press("r"))
	d.run(cmd)
	d.until("both keys listed", 20*time.Second, func() bool { return kp.Loaded() && len(kp.Entries()) == 2 })
	var bigRow, longRow string
	for _, l := range strings.Split(m.View(), "\n") {
		switch {
		case strings.Contains(l, " big "):
			bigRow = l
		case strings.Contains(l, "long:x"):
			longRow = l
		}
	}
	if !strings.Contains(bigRow, "1.0 MiB") || !strings.HasSuffix(strings.TrimRight(bigRow, " "), "—") {
		t.Errorf("the big value's row: %q", bigRow)
	}
	if !strings.Contains(longRow, "x…") {
		t.Errorf("the long key's row: %q", longRow)
	}
	send(m, press("j")) // from "big" to the long key
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	d.run(cmd)
	d.until("the long key opened", 20*time.Second, func() bool { return strings.Contains(m.View(), "(1,005 bytes)") })
}

// TestOpenKeySaysWhenItWasRead: on a real cluster, a key left open while
// another client changes it says, from 10 s after its read, when that read
// was made; r reads the new value.
func TestOpenKeySaysWhenItWasRead(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	cl := startCluster(t, freeBasePort(t))
	t.Cleanup(func() { _ = cl.Close() })
	m, d, c := consoleOn(t, cl.Addrs())
	d.until("connected", 30*time.Second, func() bool { return m.ConnState() == StateConnected })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, []byte("k"), []byte("before"), nil); err != nil {
		t.Fatal(err)
	}
	send(m, press("5"))
	kp := m.Active().(*keys.Model)
	_, cmd := m.Update(press("r"))
	d.run(cmd)
	d.until("k listed", 20*time.Second, func() bool { return kp.Loaded() && len(kp.Entries()) == 1 })
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	d.run(cmd)
	d.until("k read", 20*time.Second, func() bool { return strings.Contains(m.View(), "before") })
	if _, err := c.Put(ctx, []byte("k"), []byte("after"), nil); err != nil {
		t.Fatal(err)
	}
	d.until("the old read dated", 30*time.Second, func() bool {
		v := m.View()
		return strings.Contains(v, "before") && strings.Contains(v, "lease read at ")
	})
	send(m, tea.KeyMsg{Type: tea.KeyEsc}) // the list is as old: its title says so
	if v := m.View(); !strings.Contains(v, "scanned at ") || !strings.Contains(v, "ago)") {
		t.Fatalf("the list scanned over 10 s ago:\n%s", v)
	}
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	d.run(cmd)
	_, cmd = m.Update(press("r"))
	d.run(cmd)
	d.until("the new value read", 20*time.Second, func() bool {
		v := m.View()
		return strings.Contains(v, "after") && !strings.Contains(v, "lease read at ")
	})
}
