package headless

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/proccluster"
)

// One 3-node cluster (the default 1024 shards and 6 groups) shared by the
// tests of this package; each test uses its own keys. Tests that stop nodes
// start their own cluster.
var shared *cluster.Cluster

func TestMain(m *testing.M) {
	if proccluster.Reexecuted() {
		proccluster.Main(m) // a `serve` node of a test's process cluster: runs it, exits
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c, err := startCluster(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start cluster:", err)
		os.Exit(1)
	}
	shared = c
	code := m.Run()
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close cluster:", err)
		code = 1
	}
	os.Exit(code)
}

func startCluster(ctx context.Context) (*cluster.Cluster, error) {
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 3})
	if err != nil {
		return nil, err
	}
	if err := c.WaitReady(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// nodesFlag is --nodes for the shared cluster.
func nodesFlag() string { return "--nodes=" + strings.Join(shared.Addrs(), ",") }

// result is one command run.
type result struct {
	code           int
	stdout, stderr string
}

// run runs a command line as main does (the command word may follow flags),
// with stdout not a terminal (JSON by default) and an empty config dir.
func run(t *testing.T, stdin string, argv ...string) result {
	t.Helper()
	return runCtx(t, context.Background(), stdin, argv...)
}

func runCtx(t *testing.T, ctx context.Context, stdin string, argv ...string) result {
	t.Helper()
	// No user's config file may leak in: point the default path at an empty
	// temporary directory (once per test).
	if !strings.HasPrefix(os.Getenv("XDG_CONFIG_HOME"), os.TempDir()) {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	name, rest := Split(argv)
	if name == "" {
		t.Fatalf("no command in %q", argv)
	}
	var out, errOut bytes.Buffer
	code := Run(ctx, name, rest, IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// must runs a command that has to succeed.
func must(t *testing.T, stdin string, argv ...string) string {
	t.Helper()
	r := run(t, stdin, argv...)
	if r.code != ExitOK {
		t.Fatalf("%q: exit %d, stderr %s", argv, r.code, r.stderr)
	}
	return r.stdout
}

// volatile are the parts of an output that change from run to run: ports,
// versions, leaders, times and durations.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`\b\d+/\d+\b`), "T/I"},
	{regexp.MustCompile(`\bn[1-3]\b`), "nX"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+Z`), "TIME"},
	{regexp.MustCompile(`"ttl_ms":\d+`), `"ttl_ms":MS`},
	{regexp.MustCompile(`ttl_ms: \d+`), `ttl_ms: MS`},
	{regexp.MustCompile(`\b(\d+h)?\d+m\d+s\b`), "DURATION"},
	{regexp.MustCompile(`"search_time_us":\d+`), `"search_time_us":US`},
}

// normalize replaces the volatile parts; for tables it also squeezes runs
// of spaces, since a replaced field can change a column's width.
func normalize(s string, table bool) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	if table {
		s = regexp.MustCompile(` {2,}`).ReplaceAllString(s, "  ")
	}
	return s
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
