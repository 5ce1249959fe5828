package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

// poll is how often a launch looks for its ready condition.
const poll = 5 * time.Millisecond

// launchDevcluster times `devcluster` from launch to its `ready` line.
func launchDevcluster(ctx context.Context, bin string) (time.Duration, error) {
	cmd := exec.Command(bin, "devcluster")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start devcluster: %w", err)
	}
	defer stop(cmd)
	ready := make(chan time.Duration, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ready ") {
				ready <- time.Since(t0)
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case d := <-ready:
		return d, nil
	case <-ctx.Done():
		return 0, fmt.Errorf("devcluster printed no ready line: %w", ctx.Err())
	}
}

// launchConsole times the console on its embedded cluster, in an 80x24
// pseudo-terminal, from launch to its first full screen (see firstScreen).
func launchConsole(ctx context.Context, bin string) (time.Duration, error) {
	home, err := os.MkdirTemp("", "startbench-home-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(home)
	cmd := exec.Command(bin)
	// A fresh HOME: no config file or profile of the machine's user applies.
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "TERM=xterm-256color")
	t0 := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
	if err != nil {
		return 0, fmt.Errorf("start the console in a pty: %w", err)
	}
	var mu sync.Mutex
	var raw strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 32<<10)
		for {
			n, err := tty.Read(buf)
			answerQueries(tty, buf[:n])
			mu.Lock()
			raw.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		stop(cmd)
		_ = tty.Close()
		<-done
	}()
	for {
		mu.Lock()
		screen := ansi.Strip(raw.String())
		mu.Unlock()
		if firstScreen(screen, 3) {
			return time.Since(t0), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("no first screen: %w; output so far:\n%s", ctx.Err(), tail(screen, 2000))
		case <-done:
			return 0, fmt.Errorf("the console exited before its first screen; output:\n%s", tail(screen, 2000))
		case <-time.After(poll):
		}
	}
}

// answerQueries answers the terminal queries a program sends at start as a
// terminal emulator does: Bubble Tea asks for the background colour (OSC 11)
// and the cursor position (DSR) when it loads, and waits up to 5 s for
// replies a bare pseudo-terminal never sends, which would be timed as
// start-up a user in xterm or tmux never sees.
func answerQueries(tty io.Writer, out []byte) {
	s := string(out)
	if strings.Contains(s, "\x1b]11;?") {
		_, _ = io.WriteString(tty, "\x1b]11;rgb:0000/0000/0000\x1b\\")
	}
	if strings.Contains(s, "\x1b[6n") {
		_, _ = io.WriteString(tty, "\x1b[1;1R")
	}
}

var tabBar = regexp.MustCompile(`\b1 Cluster\b`)

// firstScreen reports whether the console's output (escape codes removed)
// holds a full first screen: the tab bar, and a row per node showing it
// alive and leading at least one shard (the cluster pane's NODE table).
func firstScreen(screen string, nodes int) bool {
	if !tabBar.MatchString(screen) {
		return false
	}
	for i := 1; i <= nodes; i++ {
		row := regexp.MustCompile(`\bn` + strconv.Itoa(i) + ` +\S+ +alive +[1-9][0-9]*\b`)
		if !row.MatchString(screen) {
			return false
		}
	}
	return true
}

// launchEtcd times 3 etcd members on loopback from launch to all answering
// /health with a leader (the anchor for devcluster).
func launchEtcd(ctx context.Context, etcd string) (time.Duration, error) {
	trio, err := newTrio("startbench-etcd-")
	if err != nil {
		return 0, err
	}
	defer trio.close()
	dir, ports := trio.dir, trio.ports
	var initial []string
	for i := 0; i < 3; i++ {
		initial = append(initial, fmt.Sprintf("e%d=http://127.0.0.1:%d", i+1, ports[3+i]))
	}
	t0 := time.Now()
	for i := 0; i < 3; i++ {
		client := fmt.Sprintf("http://127.0.0.1:%d", ports[i])
		peer := fmt.Sprintf("http://127.0.0.1:%d", ports[3+i])
		c := exec.Command(etcd, "--name", fmt.Sprintf("e%d", i+1), "--data-dir", filepath.Join(dir, strconv.Itoa(i+1)),
			"--listen-client-urls", client, "--advertise-client-urls", client,
			"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-token", "startbench", "--initial-cluster-state", "new")
		if err := c.Start(); err != nil {
			return 0, fmt.Errorf("start etcd: %w", err)
		}
		trio.cmds = append(trio.cmds, c)
	}
	// A request that reaches a member before it serves hangs (its port is
	// bound early) until the client gives up, so a new probe starts every
	// poll without waiting for the earlier ones: the first answer counts.
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var probes sync.WaitGroup
	defer probes.Wait() // after the time is taken: probes still running end within hc.Timeout
	for i := 0; i < 3; i++ {
		url := fmt.Sprintf("http://127.0.0.1:%d/health", ports[i])
		if err := pollHealthy(ctx, hc, url, &probes); err != nil {
			return 0, fmt.Errorf("etcd member %d not healthy: %w", i+1, err)
		}
	}
	return time.Since(t0), nil
}

// pollHealthy starts a /health request every poll until one answers
// healthy; the requests still running are counted in wg.
func pollHealthy(ctx context.Context, hc *http.Client, url string, wg *sync.WaitGroup) error {
	ok := make(chan struct{})
	var once sync.Once
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if healthy(hc, url) {
				once.Do(func() { close(ok) })
			}
		}()
		select {
		case <-ok:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func healthy(hc *http.Client, url string) bool {
	resp, err := hc.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(string(b), `"health":"true"`)
}

// trio is the scratch of a 3-process cluster: a temporary directory, 6
// free loopback ports (3 client, 3 peer) and the processes started, which
// close stops and removes.
type trio struct {
	dir   string
	ports []int
	cmds  []*exec.Cmd
}

func newTrio(prefix string) (*trio, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(6)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &trio{dir: dir, ports: ports}, nil
}

func (t *trio) close() {
	for _, c := range t.cmds {
		stop(c)
	}
	_ = os.RemoveAll(t.dir)
}

func freePorts(n int) ([]int, error) {
	var out []int
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			_ = l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick a free port: %w", err)
		}
		lns = append(lns, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// stop ends a launched process with SIGTERM (each stops cleanly on it),
// killing it if it is still there after 20 s.
func stop(cmd *exec.Cmd) {
	if cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
