package ui

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A failed connection attempt is cut to the status line's width with
// "ctrl+l full text": the message log must then hold the full text. It is
// logged once per distinct error, not on every retry (every 2 s).
func TestConnectionErrorIsInTheMessageLog(t *testing.T) {
	m := newRoot(t, 80, 24)
	long := errors.New("norikv: connection to 127.0.0.1:7055 failed: no node answered the topology watch within Config.Timeout (5s): 127.0.0.1:7055: connection refused")
	for i := 0; i < 3; i++ {
		m.Update(common.ConnectedMsg{Err: long})
	}
	if v := m.View(); !strings.Contains(v, "full text") {
		t.Fatalf("the status line does not point to the log:\n%s", v)
	}
	count := func(text string) int {
		n := 0
		for _, e := range m.Messages() {
			if strings.Contains(e.Text, text) {
				n++
			}
		}
		return n
	}
	if n := count("Config.Timeout (5s): 127.0.0.1:7055: connection refused"); n != 1 {
		t.Fatalf("the connection error is in the message log %d times, want once: %+v", n, m.Messages())
	}
	m.Update(common.ConnectedMsg{Err: errors.New("norikv: connection to 127.0.0.1:7055 failed: tls: bad certificate")})
	if count("bad certificate") != 1 {
		t.Fatal("a different connection error was not logged")
	}
	m.Update(common.ConnectedMsg{})
	m.Update(common.ConnectedMsg{Err: long})
	if n := count("connection refused"); n != 2 {
		t.Fatalf("the error again after a connection: logged %d times, want 2", n)
	}
}

// The same with a real client given an address where nothing listens (a
// wrong --nodes): the header says connecting (never connected, so not
// "reconnecting") and the log has the reason.
func TestWrongSeedAddressIsLoggedInFull(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	c, err := client.New(client.Config{Nodes: []string{addr}, TotalShards: 64, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	com := uitest.Common()
	com.Client, com.TotalShards = c, 64
	m, err := New(Options{Common: com})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	d := newDriver(t, m)
	d.run(m.Init())
	d.until("the failed connection in the message log", 30*time.Second, func() bool {
		for _, e := range m.Messages() {
			if strings.Contains(e.Text, addr) && strings.Contains(e.Text, "check the node addresses") {
				return m.ConnState() == StateConnecting
			}
		}
		return false
	})
	if v := m.View(); !strings.Contains(v, "connecting") || strings.Contains(v, "reconnecting") || strings.Contains(v, "connected ") {
		t.Fatalf("wrong address:\n%s", v)
	}
}
