package ui

import (
	"crypto/tls"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestHeaderSaysWhetherTrafficIsEncrypted: an external cluster over TLS
// shows TLS in the header; without TLS it warns plaintext.
func TestHeaderSaysWhetherTrafficIsEncrypted(t *testing.T) {
	for _, c := range []struct {
		tls  *tls.Config
		want string
	}{{nil, "plaintext"}, {&tls.Config{MinVersion: tls.VersionTLS12}, "TLS"}} {
		cl, err := client.New(client.Config{Nodes: []string{"127.0.0.1:1"}, TotalShards: 64, TLS: c.tls})
		if err != nil {
			t.Fatal(err)
		}
		com := uitest.Common()
		com.Client = cl
		m, err := New(Options{Common: com})
		if err != nil {
			t.Fatal(err)
		}
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
		if h := strings.Split(m.View(), "\n")[0]; !strings.Contains(h, "· "+c.want) {
			t.Errorf("header %q lacks %q", h, c.want)
		}
		_ = cl.Close()
	}
}
