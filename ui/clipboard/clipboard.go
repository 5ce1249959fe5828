// Package clipboard copies text to the user's clipboard through the
// terminal (OSC 52), so it works over SSH and inside tmux, where the
// console's host has no clipboard of its own.
package clipboard

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"sync"
)

// MaxBytes is the largest text copied: terminals drop longer OSC 52
// payloads silently (xterm and tmux cap them around 1 MB once encoded).
const MaxBytes = 512 << 10

// Sequence returns the OSC 52 sequence that puts text on the clipboard
// ("c" selection, BEL-terminated). Inside tmux it is wrapped in tmux's DCS
// passthrough (every ESC doubled), which tmux forwards to the outer
// terminal when allow-passthrough is on.
func Sequence(text string, tmux bool) string {
	seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
	if !tmux {
		return seq
	}
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// InTmux reports whether the console runs inside tmux (TMUX is set).
func InTmux() bool { return os.Getenv("TMUX") != "" }

// Terminal is the program's output. Bubble Tea writes each frame with one
// Write; Copy writes its sequence under the same lock, so a clipboard
// sequence always lands between two frames, never inside one (a torn frame
// would leave the cursor mid-screen). It keeps the file's Fd and Read so
// Bubble Tea still sees a terminal (size, raw mode).
type Terminal struct {
	mu   sync.Mutex
	f    *os.File
	tmux bool
}

// NewTerminal wraps f (os.Stdout); tmux selects the passthrough wrapping.
func NewTerminal(f *os.File, tmux bool) *Terminal { return &Terminal{f: f, tmux: tmux} }

// Write implements io.Writer.
func (t *Terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.f.Write(p)
}

// Read implements io.Reader (term.File).
func (t *Terminal) Read(p []byte) (int, error) { return t.f.Read(p) }

// Close implements io.Closer; the wrapped file stays open (it is stdout).
func (t *Terminal) Close() error { return nil }

// Fd returns the wrapped file's descriptor (term.File).
func (t *Terminal) Fd() uintptr { return t.f.Fd() }

// Copy puts text on the clipboard.
func (t *Terminal) Copy(text string) error {
	if err := Check(text); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := t.f.WriteString(Sequence(text, t.tmux))
	return err
}

// Check refuses what the terminal would drop.
func Check(text string) error {
	if len(text) > MaxBytes {
		return fmt.Errorf("%d bytes is more than the terminal clipboard takes (%d KiB over OSC 52); copy a smaller selection or use the keys pane's export", len(text), MaxBytes>>10)
	}
	return nil
}
