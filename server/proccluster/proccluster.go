//go:build unix

// Package proccluster runs a NoriKV cluster as real `serve` processes on
// 127.0.0.1 for fault tests that an in-process cluster cannot express: a
// process paused with SIGSTOP (a hung leader), killed with SIGKILL, restarted
// from its data or without it, and CPU burner processes beside it.
//
// The processes are the test binary itself, re-executed: a test package that
// uses Start must call Main from its TestMain.
//
//	func TestMain(m *testing.M) { proccluster.Main(m) }
package proccluster

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cli"
	"github.com/norikv/norikv-console/server/internal/slowfs"
)

const (
	envServeArgs = "NORIKV_PROCCLUSTER_SERVE_ARGS"
	envBurn      = "NORIKV_PROCCLUSTER_BURN"
	envNoFile    = "NORIKV_PROCCLUSTER_NOFILE"
	// readyTimeout bounds a node's start; generous because CI machines are
	// busy and a node replays its log before it is ready.
	readyTimeout = 60 * time.Second
)

// Main runs the test binary as a `serve` node or a CPU burner when it was
// re-executed as one, and otherwise runs the tests and exits.
func Main(m *testing.M) {
	if raw := os.Getenv(envServeArgs); raw != "" {
		os.Exit(runServe(raw))
	}
	if os.Getenv(envBurn) != "" {
		burn()
	}
	os.Exit(m.Run())
}

// Reexecuted reports whether this test binary was run again as a node or a
// CPU burner. A TestMain that sets up more than Main before its tests (a
// shared cluster) calls Main at once then: Main runs that and exits.
func Reexecuted() bool { return os.Getenv(envServeArgs) != "" || os.Getenv(envBurn) != "" }

func runServe(raw string) int {
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, "proccluster: bad serve args:", err)
		return 2
	}
	if v := os.Getenv(envNoFile); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err == nil {
			err = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "proccluster: open-file limit:", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// As `serve` runs: with --timer-slack applied (the test binary runs
	// again with the same environment, and so as this node again).
	return cli.ServeProcess(ctx, args, os.Stdout, os.Stderr)
}

// burn spins until killed.
func burn() {
	for x := uint64(1); ; x = x*6364136223846793005 + 1 {
		_ = x
	}
}

// Options shape the cluster. Zero values take the defaults.
type Options struct {
	Nodes int // default 3
	// Shards and Groups are passed as --shards and --groups; 0 passes
	// none: serve's defaults, or the counts a data dir recorded. SetCounts
	// changes them for later launches.
	Shards int
	Groups int
	Fsync  bool // default false: tests need crash safety, not power-loss safety
	// Args are extra `serve` flags given to every node.
	Args []string
	// DiskLimit puts the data directory of each node named here on its own
	// tmpfs of that many bytes (mounted before the node first starts,
	// unmounted at cleanup), so FillDisk can fill it up. Mounting needs
	// root (CAP_SYS_ADMIN); without it Start skips the test, saying why.
	DiskLimit map[string]int64
	// HTTP gives every node an HTTP address (--http-addr) for /health and
	// /metrics; HTTPAddr returns it.
	HTTP bool
	// NoFile sets the open-file limit (soft and hard) of each node named
	// here, so a test can exhaust it.
	NoFile map[string]uint64
	// SlowDisk puts the data directory of each node named here on a FUSE
	// passthrough file system whose syncs take that Delay longer (Set
	// changes it live; slowfs), unmounted at cleanup. Without root or
	// /dev/fuse Start skips the test, saying why.
	SlowDisk map[string]*slowfs.Delay
	// Links puts a relay in the test process in front of each node's
	// replication port (the others' --peers name it), so Cut, Isolate and
	// Heal can partition the nodes for real (links.go).
	Links bool
}

// Cluster is a set of `serve` processes. Its methods fail the test on errors.
type Cluster struct {
	opts      Options
	ids       []string
	addrs     map[string]string // client gRPC address by node id
	raftAddrs map[string]string
	httpAddrs map[string]string
	dataDirs  map[string]string
	logDir    string
	relayed   map[string]string // replication address the others are given, by node id (Options.Links)
	links     *links

	mu     sync.Mutex
	procs  map[string]*proc
	paused map[string]bool
	extra  map[string][]string // flags after the cluster's, by node id (LaunchWith)
	// shards and groups are the counts passed to launches (0: none; SetCounts).
	shards, groups int
}

type proc struct {
	cmd   *exec.Cmd
	ready chan struct{}
	done  chan struct{}
	log   *os.File
}

// Start launches the cluster and returns when every node has printed ready
// (all its groups know a leader). Cleanup kills every process.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	if o.Nodes <= 0 {
		o.Nodes = 3
	}
	ports := freeAddrs(t, 3*o.Nodes)
	base := t.TempDir()
	c := &Cluster{
		opts: o, addrs: map[string]string{}, raftAddrs: map[string]string{}, httpAddrs: map[string]string{}, dataDirs: map[string]string{},
		logDir: filepath.Join(base, "logs"), procs: map[string]*proc{}, paused: map[string]bool{},
		shards: o.Shards, groups: o.Groups,
	}
	if err := os.MkdirAll(c.logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < o.Nodes; i++ {
		id := fmt.Sprintf("n%d", i+1)
		c.ids = append(c.ids, id)
		c.addrs[id] = ports[i]
		c.raftAddrs[id] = ports[o.Nodes+i]
		if o.HTTP {
			c.httpAddrs[id] = ports[2*o.Nodes+i]
		}
		c.dataDirs[id] = filepath.Join(base, id)
	}
	for _, id := range c.ids {
		if size, ok := o.DiskLimit[id]; ok {
			mountSmallDisk(t, c.dataDirs[id], size) // registered first: unmounted after the processes are killed
		}
		if d, ok := o.SlowDisk[id]; ok {
			mountSlowDisk(t, c.dataDirs[id], d) // likewise
		}
	}
	t.Cleanup(func() { c.cleanup(t) })
	if o.Links {
		c.relayed = c.startRelays(t)
	}
	c.startAll(t)
	return c
}

// Addrs returns the client addresses, n1 first.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.ids))
	for i, id := range c.ids {
		out[i] = c.addrs[id]
	}
	return out
}

// HTTPAddr returns a node's HTTP address (Options.HTTP), or "".
func (c *Cluster) HTTPAddr(id string) string { return c.httpAddrs[id] }

// DataDir returns a node's data directory.
func (c *Cluster) DataDir(id string) string { return c.dataDirs[id] }

// IDs returns the node ids "n1".."nN".
func (c *Cluster) IDs() []string { return append([]string(nil), c.ids...) }

// Addr returns a node's client address.
func (c *Cluster) Addr(id string) string { return c.addrs[id] }

// IDOf returns the node id serving a client address, or "".
func (c *Cluster) IDOf(addr string) string {
	for id, a := range c.addrs {
		if a == addr {
			return id
		}
	}
	return ""
}

// Proc returns a node's running process, or nil when it is not running.
func (c *Cluster) Proc(id string) *os.Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[id]; p != nil {
		return p.cmd.Process
	}
	return nil
}

// Pause stops a node's process with SIGSTOP: it keeps its sockets open but
// answers nothing, like a hung machine. It returns once every thread of the
// process has stopped.
func (c *Cluster) Pause(t testing.TB, id string) {
	t.Helper()
	c.signal(t, id, syscall.SIGSTOP)
	if err := waitStopped(c.Proc(id).Pid, 10*time.Second); err != nil {
		t.Fatalf("proccluster: pause %s: %v", id, err)
	}
	c.mu.Lock()
	c.paused[id] = true
	c.mu.Unlock()
}

// Resume continues a paused node with SIGCONT.
func (c *Cluster) Resume(t testing.TB, id string) {
	t.Helper()
	c.signal(t, id, syscall.SIGCONT)
	c.mu.Lock()
	delete(c.paused, id)
	c.mu.Unlock()
}

// Paused reports whether a node is paused.
func (c *Cluster) Paused(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paused[id]
}

// Kill ends a node with SIGKILL and waits for it to exit.
func (c *Cluster) Kill(t testing.TB, id string) {
	t.Helper()
	c.mu.Lock()
	p := c.procs[id]
	delete(c.procs, id)
	delete(c.paused, id)
	c.mu.Unlock()
	if p == nil {
		t.Fatalf("proccluster: kill %s: not running", id)
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// forget drops a node whose process exited by itself, so it can be
// launched again.
func (c *Cluster) forget(id string) {
	c.mu.Lock()
	p := c.procs[id]
	delete(c.procs, id)
	delete(c.paused, id)
	c.mu.Unlock()
	if p != nil {
		<-p.done
	}
}

// Restart starts a killed node again with the same flags and data, and
// waits until it is ready.
func (c *Cluster) Restart(t testing.TB, id string) {
	t.Helper()
	p := c.launch(t, id)
	c.waitReady(t, id, p)
}

// WipeAndRestart kills a node if it runs, deletes its data and starts it
// again with the same id and addresses (a replaced disk), and waits until
// it is ready.
func (c *Cluster) WipeAndRestart(t testing.TB, id string) {
	t.Helper()
	if c.Proc(id) != nil {
		c.Kill(t, id)
	}
	c.Wipe(t, id)
	c.Restart(t, id)
}

// Wipe deletes the data of a node that is not running.
func (c *Cluster) Wipe(t testing.TB, id string) {
	t.Helper()
	if c.Proc(id) != nil {
		t.Fatalf("proccluster: wipe %s: still running", id)
	}
	if err := os.RemoveAll(c.dataDirs[id]); err != nil {
		t.Fatal(err)
	}
}

// Launch starts a killed node again with the same flags and data and
// returns at once; WaitReady waits for it. For a node that cannot be ready
// until other nodes come back.
func (c *Cluster) Launch(t testing.TB, id string) {
	t.Helper()
	c.launch(t, id)
}

// WaitReady waits until a launched node is ready.
func (c *Cluster) WaitReady(t testing.TB, id string) {
	t.Helper()
	c.mu.Lock()
	p := c.procs[id]
	c.mu.Unlock()
	if p == nil {
		t.Fatalf("proccluster: wait for %s: not running", id)
	}
	c.waitReady(t, id, p)
}

// IsReady reports whether a running node has printed ready.
func (c *Cluster) IsReady(id string) bool {
	c.mu.Lock()
	p := c.procs[id]
	c.mu.Unlock()
	return p != nil && closed(p.ready)
}

// closed reports whether ch has been closed.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Log returns what a node wrote to stderr (all its runs).
func (c *Cluster) Log(t testing.TB, id string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.logDir, id+".log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(raw)
}

// WipeAndRestartAll kills every node, deletes their data and starts a new
// cluster on the same addresses: what a client sees when a dev cluster is
// restarted without its data.
func (c *Cluster) WipeAndRestartAll(t testing.TB) {
	t.Helper()
	for _, id := range c.ids {
		if c.Proc(id) != nil {
			c.Kill(t, id)
		}
		if err := os.RemoveAll(c.dataDirs[id]); err != nil {
			t.Fatal(err)
		}
	}
	c.startAll(t)
}

// LeaderOf returns the id of the node leading shard's group in the newest
// view any running, unpaused node serves, or "" when none names a leader.
func (c *Cluster) LeaderOf(t testing.TB, shard int) string {
	t.Helper()
	v := c.View(t)
	if v == nil || shard < 0 || shard >= len(v.Shards) {
		return ""
	}
	for _, r := range v.Shards[shard].Replicas {
		if r.Leader {
			return r.NodeId
		}
	}
	return ""
}

// Burn starts n CPU burner processes (busy loops) and returns a function
// that stops them; Cleanup stops them too.
func (c *Cluster) Burn(t testing.TB, n int) (stop func()) {
	t.Helper()
	var cmds []*exec.Cmd
	for i := 0; i < n; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envBurn+"=1")
		if err := cmd.Start(); err != nil {
			t.Fatalf("proccluster: burner: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			for _, cmd := range cmds {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func (c *Cluster) startAll(t testing.TB) {
	t.Helper()
	started := map[string]*proc{}
	for _, id := range c.ids {
		started[id] = c.launch(t, id)
	}
	for _, id := range c.ids {
		c.waitReady(t, id, started[id])
	}
}

func (c *Cluster) serveArgs(id string) []string {
	var peers []string
	for _, p := range c.ids {
		raftAddr := c.raftAddrs[p]
		if r := c.relayed[p]; r != "" && p != id {
			raftAddr = r // through the relay that Cut can close (links.go)
		}
		peers = append(peers, fmt.Sprintf("%s=%s/%s", p, c.addrs[p], raftAddr))
	}
	args := []string{
		"--id", id, "--addr", c.addrs[id], "--raft-addr", c.raftAddrs[id], "--data-dir", c.dataDirs[id],
		"--peers", strings.Join(peers, ","),
		fmt.Sprintf("--fsync=%t", c.opts.Fsync),
	}
	if h := c.httpAddrs[id]; h != "" {
		args = append(args, "--http-addr", h)
	}
	args = append(args, c.opts.Args...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shards > 0 {
		args = append(args, "--shards", fmt.Sprint(c.shards))
	}
	if c.groups > 0 {
		args = append(args, "--groups", fmt.Sprint(c.groups))
	}
	return append(args, c.extra[id]...)
}

func (c *Cluster) launch(t testing.TB, id string) *proc {
	t.Helper()
	raw, _ := json.Marshal(c.serveArgs(id))
	logFile, err := os.OpenFile(filepath.Join(c.logDir, id+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envServeArgs+"="+string(raw))
	if n := c.opts.NoFile[id]; n > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", envNoFile, n))
	}
	cmd.Stderr = logFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("proccluster: start %s: %v", id, err)
	}
	p := &proc{cmd: cmd, ready: make(chan struct{}), done: make(chan struct{}), log: logFile}
	go func() {
		sc := bufio.NewScanner(out)
		announced := false
		for sc.Scan() {
			if !announced && strings.HasPrefix(sc.Text(), "ready ") {
				announced = true
				close(p.ready)
			}
		}
		_ = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	c.mu.Lock()
	c.procs[id] = p
	c.mu.Unlock()
	return p
}

func (c *Cluster) waitReady(t testing.TB, id string, p *proc) {
	t.Helper()
	select {
	case <-p.ready:
	case <-p.done:
		t.Fatalf("proccluster: %s exited before it was ready:\n%s", id, c.logTail(id, 30))
	case <-time.After(readyTimeout):
		t.Fatalf("proccluster: %s not ready after %v:\n%s", id, readyTimeout, c.logTail(id, 30))
	}
}

func (c *Cluster) signal(t testing.TB, id string, sig syscall.Signal) {
	t.Helper()
	pr := c.Proc(id)
	if pr == nil {
		t.Fatalf("proccluster: signal %v to %s: not running", sig, id)
	}
	if err := pr.Signal(sig); err != nil {
		t.Fatalf("proccluster: signal %v to %s: %v", sig, id, err)
	}
}

func (c *Cluster) cleanup(t testing.TB) {
	c.mu.Lock()
	procs := c.procs
	c.procs = map[string]*proc{}
	c.mu.Unlock()
	for _, p := range procs {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	if t.Failed() {
		for _, id := range c.ids {
			t.Logf("proccluster: last lines of %s's log:\n%s", id, c.logTail(id, 20))
		}
	}
}

// logTail returns the last n lines a node wrote to stderr.
func (c *Cluster) logTail(id string, n int) string {
	raw, err := os.ReadFile(filepath.Join(c.logDir, id+".log"))
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	var ls []net.Listener
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	for _, l := range ls {
		_ = l.Close()
	}
	return out
}
