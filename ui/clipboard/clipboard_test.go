package clipboard

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestSequence(t *testing.T) {
	if got, want := Sequence("user:42", false), "\x1b]52;c;dXNlcjo0Mg==\x07"; got != want {
		t.Fatalf("plain: %q, want %q", got, want)
	}
	if got, want := Sequence("user:42", true), "\x1bPtmux;\x1b\x1b]52;c;dXNlcjo0Mg==\x07\x1b\\"; got != want {
		t.Fatalf("tmux: %q, want %q", got, want)
	}
	if got, want := Sequence("", false), "\x1b]52;c;\x07"; got != want {
		t.Fatalf("empty: %q", got)
	}
}

func TestCopyRefusesTooLarge(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	term := NewTerminal(f, false)
	if err := term.Copy(strings.Repeat("x", MaxBytes+1)); err == nil || !strings.Contains(err.Error(), "smaller selection") {
		t.Fatalf("err %v", err)
	}
}

// A clipboard write never lands inside a frame: frames are single Writes
// and Copy takes the same lock.
func TestCopyNeverTearsAFrame(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	term := NewTerminal(f, false)
	frame := "\x1b[H" + strings.Repeat("frame line\r\n", 200) + "END"
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			term.Write([]byte(frame))
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			term.Copy("copied text")
		}
	}()
	wg.Wait()
	f.Close()
	out, _ := os.ReadFile(path)
	seq := Sequence("copied text", false)
	rest := string(out)
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, frame):
			rest = rest[len(frame):]
		case strings.HasPrefix(rest, seq):
			rest = rest[len(seq):]
		default:
			t.Fatalf("torn output at %q", rest[:min(40, len(rest))])
		}
	}
}
