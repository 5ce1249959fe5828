package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/views/cluster"
	"github.com/norikv/norikv-console/views/events"
	"github.com/norikv/norikv-console/views/keys"
	"github.com/norikv/norikv-console/views/stats"
	"github.com/norikv/norikv-console/views/trace"
	"github.com/norikv/norikv-console/views/ttl"
	"github.com/norikv/norikv-console/views/vectors"
)

// The smoke run drives the built console in a pseudo-terminal, on its
// embedded cluster, through every pane and every key of the panes' and the
// global key maps (what the help overlay lists), and fails on any panic:
// Bubble Tea's "Caught panic", a Go "panic:", or a pane the root stopped
// after a panic ("pane failed", "panic in the ... pane" in console.log).
//
// It takes about two minutes, so it runs only with NORIKV_SMOKE=1 (.ci/run
// sets it). NORIKV_SMOKE_BIN runs a given binary instead of building one.

// smokePanes are the console's panes in tab order with their key maps.
var smokePanes = []struct {
	tab  string
	name string
	keys keybindings.Named
}{
	{"1", "cluster", cluster.DefaultKeyMap()},
	{"2", "events", events.DefaultKeyMap()},
	{"3", "stats", stats.DefaultKeyMap()},
	{"4", "trace", trace.DefaultKeyMap()},
	{"5", "keys", keys.DefaultKeyMap()},
	{"6", "vectors", vectors.DefaultKeyMap()},
	{"7", "ttl", ttl.DefaultKeyMap()},
}

// smokeTabs matches the start of the tab bar (" 1 Cluster  2 Events ...").
var smokeTabs = regexp.MustCompile(`^ ?[\[ ]1 Cluster[\] ]`)

// checkTabs fails when the console shows more panes than smokePanes knows.
// The tab bar (normally the screen's second row) is read from the screen as
// it is now, for a while: the first screen that says "help" may be drawn before
// the tab bar is complete.
func (s *smokeRun) checkTabs(t *testing.T) {
	t.Helper()
	var bar string
	var n int
	deadline := time.Now().Add(30 * time.Second)
	for {
		bar, n = "", 0
		for _, row := range strings.Split(s.now(), "\n") {
			if smokeTabs.MatchString(row) {
				bar, n = row, len(smokeTab.FindAllString(row, -1))
				break
			}
		}
		if n == len(smokePanes) {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the tab bar shows %d panes (%q), the smoke run knows %d: add the new pane to smokePanes\nscreen now:\n%s\noutput:\n%s",
		n, bar, len(smokePanes), s.now(), tail(s.screen(), 3000))
}

// now is the screen as a terminal shows it at this moment.
func (s *smokeRun) now() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vt.String()
}

// smokeTab is one entry of the tab bar: its digit and the pane's name.
var smokeTab = regexp.MustCompile(`\b\d [A-Z]`)

// smokeMarkers in the screen output or console.log fail the run.
var smokeMarkers = []string{"Caught panic", "panic:", "pane failed", "panic in the"}

// smokeStatsAfter: the Stats pane is entered only after the console has run
// this long, so its latency graph holds idle seconds (a makeslice panic on
// `3` then `k` after ~20 s was found that way).
const smokeStatsAfter = 25 * time.Second

// smokeKeyGap is the pause after each key, so that each arrives in its own
// read (an esc followed at once by a letter would read as alt+letter).
const smokeKeyGap = 50 * time.Millisecond

func TestSmokeConsoleInPTY(t *testing.T) {
	if os.Getenv("NORIKV_SMOKE") != "1" {
		t.Skip("set NORIKV_SMOKE=1 to drive the built console in a pseudo-terminal (about 2 minutes)")
	}
	bin := smokeBinary(t)
	// Every key at 80x24; at 160x48 (other layouts: heatmap rows per
	// group, the groups table) each pane is walked and its help opened.
	for _, run := range []struct {
		size     pty.Winsize
		everyKey bool
	}{{pty.Winsize{Cols: 80, Rows: 24}, true}, {pty.Winsize{Cols: 160, Rows: 48}, false}} {
		t.Run(fmt.Sprintf("%dx%d", run.size.Cols, run.size.Rows), func(t *testing.T) {
			s := startSmoke(t, bin, run.size)
			s.waitFor(t, "the console's first screen", 90*time.Second, "help")
			ready := time.Now()
			if !run.everyKey { // 160 columns: the whole tab bar fits
				s.checkTabs(t)
			}
			for _, p := range smokePanes {
				if p.name == "stats" && run.everyKey {
					if wait := smokeStatsAfter - time.Since(ready); wait > 0 {
						time.Sleep(wait)
					}
				}
				if run.everyKey {
					s.drivePane(t, p.tab, p.name, p.keys)
				} else {
					s.press(t, p.name, p.tab)
					s.walk(t, p.name)
					s.helpOverlay(t, p.name)
				}
			}
			// Once more through every pane, now that the session has made
			// requests of every kind: lists and graphs hold more rows.
			for _, p := range smokePanes {
				s.press(t, p.name, p.tab)
				s.walk(t, p.name)
			}
			s.quit(t)
		})
	}
}

// smokeBinary builds the console once per test run (or takes NORIKV_SMOKE_BIN).
func smokeBinary(t *testing.T) string {
	if bin := os.Getenv("NORIKV_SMOKE_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "norikv-console")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// smokeRun is one console process on a pseudo-terminal.
type smokeRun struct {
	cmd   *exec.Cmd
	tty   *os.File
	state string // XDG_STATE_HOME: console.log lands here
	done  chan struct{}

	mu   sync.Mutex
	out  bytes.Buffer
	vt   *smokeScreen // the screen as a terminal shows it now
	sent []string     // keys sent, with the output length before each: "12345 cluster t"
}

func startSmoke(t *testing.T, bin string, size pty.Winsize) *smokeRun {
	home := t.TempDir()
	s := &smokeRun{state: filepath.Join(home, "state"), done: make(chan struct{}), vt: newSmokeScreen(int(size.Cols), int(size.Rows))}
	s.cmd = exec.Command(bin)
	// A fresh HOME: no profile or config file of the machine's user applies.
	s.cmd.Env = append(os.Environ(), "HOME="+home, "XDG_STATE_HOME="+s.state, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "TERM=xterm-256color")
	tty, err := pty.StartWithSize(s.cmd, &size)
	if err != nil {
		t.Fatalf("start the console in a pty: %v", err)
	}
	s.tty = tty
	go func() {
		defer close(s.done)
		buf := make([]byte, 32<<10)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.vt.write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
		_ = tty.Close()
		<-s.done
	})
	return s
}

// screen is everything the console printed so far, escape codes removed,
// each cursor-home starting a new line: for markers that may flash by
// (panics, "help"); now is the screen as it stands.
func (s *smokeRun) screen() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(strings.ReplaceAll(s.out.String(), ansi.CursorHomePosition, "\n"))
}

func (s *smokeRun) waitFor(t *testing.T, what string, d time.Duration, text string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(s.screen(), text) {
		s.checkPanics(t)
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s (looked for %q); screen now:\n%s\noutput:\n%s", what, d, text, s.now(), tail(s.screen(), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// drivePane switches to the pane and presses each of its keys and each
// global key. After each key, esc twice closes whatever the key opened
// (input, prompt, confirmation, overlay) and the pane's tab key comes back
// to it (a key may have switched panes).
func (s *smokeRun) drivePane(t *testing.T, tab, name string, km keybindings.Named) {
	t.Helper()
	s.press(t, name, tab)
	for _, k := range smokeKeys(t, km, keybindings.DefaultKeyMap()) {
		s.press(t, name, k)
		s.press(t, name, "esc")
		s.press(t, name, "esc")
		s.press(t, name, tab)
		s.checkPanics(t)
	}
	s.walk(t, name)
	s.helpOverlay(t, name)
}

// helpOverlay opens the help overlay, scrolls and searches it, and closes it.
func (s *smokeRun) helpOverlay(t *testing.T, name string) {
	t.Helper()
	for _, k := range []string{"?", "down", "down", "up", "s", "backspace", "esc"} {
		s.press(t, name, k)
	}
	s.checkPanics(t)
}

// walk moves through the pane's list or heatmap one step at a time, down
// and back up: each selected row redraws its details (the Stats pane crashed
// on some operations' graphs only).
func (s *smokeRun) walk(t *testing.T, name string) {
	t.Helper()
	for _, k := range []string{"down", "up"} {
		for range smokeWalk {
			s.press(t, name, k)
		}
		s.checkPanics(t)
	}
}

// smokeWalk is how many rows the walk through a pane's list moves.
const smokeWalk = 16

// smokeKeys lists every key of the pane's and the global key maps, except
// the quit keys (pressed last) and the pane-switching digits.
func smokeKeys(t *testing.T, maps ...keybindings.Named) []string {
	seen := map[string]bool{"q": true, "ctrl+c": true}
	for _, d := range "123456789" {
		seen[string(d)] = true
	}
	var out []string
	for _, km := range maps {
		named := km.Named()
		names := make([]string, 0, len(named))
		for n := range named {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			for _, k := range named[n].Keys() {
				if !seen[k] {
					seen[k] = true
					if _, err := keyBytes(k); err != nil {
						t.Fatalf("key %q (action %s): %v", k, n, err)
					}
					out = append(out, k)
				}
			}
		}
	}
	return out
}

func (s *smokeRun) press(t *testing.T, pane, k string) {
	t.Helper()
	b, err := keyBytes(k)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.sent = append(s.sent, fmt.Sprintf("%d %s %s", s.out.Len(), pane, k))
	s.mu.Unlock()
	if _, err := s.tty.Write(b); err != nil {
		t.Fatalf("type %q in the %s pane: %v (did the console exit?)\n%s", k, pane, err, tail(s.screen(), 3000))
	}
	time.Sleep(smokeKeyGap)
}

// quit presses q and expects a clean exit, then checks console.log too.
func (s *smokeRun) quit(t *testing.T) {
	t.Helper()
	s.press(t, "any", "q")
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("console exited with %v after q", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("console still running 30s after q")
	}
	s.checkPanics(t)
	log, err := os.ReadFile(filepath.Join(s.state, "norikv-console", "console.log"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read console.log: %v", err)
	}
	for _, m := range smokeMarkers {
		if i := strings.Index(string(log), m); i >= 0 {
			t.Fatalf("console.log holds %q:\n%s", m, tail(string(log[:min(len(log), i+3000)]), 4000))
		}
	}
}

// checkPanics fails the run at the first panic marker in the output, naming
// the last keys sent before it appeared.
func (s *smokeRun) checkPanics(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	raw := s.out.String()
	sent := append([]string(nil), s.sent...)
	s.mu.Unlock()
	for _, m := range smokeMarkers {
		if !strings.Contains(ansi.Strip(raw), m) {
			continue
		}
		at := strings.Index(raw, m)
		var before []string
		for _, line := range sent {
			var off int
			_, _ = fmt.Sscanf(line, "%d", &off)
			if at < 0 || off <= at {
				before = append(before, line[strings.Index(line, " ")+1:])
			}
		}
		if len(before) > 12 {
			before = before[len(before)-12:]
		}
		t.Fatalf("the console printed %q; last keys sent before it (pane key): %s\noutput:\n%s",
			m, strings.Join(before, ", "), tail(ansi.Strip(raw), 4000))
	}
}

// keyBytes is what a terminal sends for a Bubble Tea key name.
func keyBytes(k string) ([]byte, error) {
	named := map[string]string{
		"enter": "\r", "esc": "\x1b", "tab": "\t", "shift+tab": "\x1b[Z", "backspace": "\x7f",
		"space": " ", "up": "\x1b[A", "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D",
		"home": "\x1b[H", "end": "\x1b[F", "pgup": "\x1b[5~", "pgdown": "\x1b[6~", "delete": "\x1b[3~",
	}
	if b, ok := named[k]; ok {
		return []byte(b), nil
	}
	if c, ok := strings.CutPrefix(k, "ctrl+"); ok && len(c) == 1 && c[0] >= 'a' && c[0] <= 'z' {
		return []byte{c[0] - 'a' + 1}, nil
	}
	if r := []rune(k); len(r) == 1 {
		return []byte(k), nil
	}
	return nil, fmt.Errorf("the smoke run does not know how to type %q: add it to keyBytes", k)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
