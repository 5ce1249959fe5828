package cli

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
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// The test binary doubles as a `serve` process: with NORIKV_SERVE_ARGS set,
// TestMain runs Serve with those arguments (signals cancel it) and exits.
func TestMain(m *testing.M) {
	if raw := os.Getenv("NORIKV_SERVE_ARGS"); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, "bad NORIKV_SERVE_ARGS:", err)
			os.Exit(2)
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		code := Serve(ctx, args, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

type serveProc struct {
	cmd   *exec.Cmd
	ready chan struct{}
	args  []string
}

func startServe(t *testing.T, args []string) *serveProc {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NORIKV_SERVE_ARGS="+string(raw))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, ready: make(chan struct{}), args: args}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ready ") {
				close(p.ready)
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return p
}

func (p *serveProc) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-p.ready:
	case <-time.After(30 * time.Second):
		t.Fatal("serve process never printed ready")
	}
}

func freeAddrs(t *testing.T, n int) []string {
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

// put writes through any node, following NOT_LEADER hints.
func put(ctx context.Context, t *testing.T, clients map[string]norikvpb.KvClient, addrs []string, key string) *norikvpb.PutResponse {
	t.Helper()
	addr := addrs[0]
	for i := 0; ; i++ {
		var tr metadata.MD
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		resp, err := clients[addr].Put(actx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v-" + key)}, grpc.Trailer(&tr))
		cancel()
		if err == nil {
			return resp
		}
		if c := status.Code(err); c != codes.Unavailable && c != codes.DeadlineExceeded {
			t.Fatalf("put %s: %v", key, err)
		}
		if h := tr.Get("leader-hint"); len(h) > 0 && clients[h[0]] != nil {
			addr = h[0]
		} else {
			addr = addrs[i%len(addrs)]
			time.Sleep(20 * time.Millisecond)
		}
		if ctx.Err() != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
}

// threeNodes is a 3-node `serve` cluster (64 shards, 4 groups) started by
// startThree, with a Kv client per node.
type threeNodes struct {
	ports   []string // client addresses n1..n3, then replication addresses
	procs   []*serveProc
	clients map[string]norikvpb.KvClient // by client address
	argsFor func(i int) []string         // node i's flags, to restart it
}

// startThree starts the cluster with extra flags on every node and waits
// until each node is ready.
func startThree(t *testing.T, extra ...string) *threeNodes {
	t.Helper()
	ports := freeAddrs(t, 6)
	base := t.TempDir()
	var peers []string
	for i := 0; i < 3; i++ {
		peers = append(peers, fmt.Sprintf("n%d=%s/%s", i+1, ports[i], ports[3+i]))
	}
	argsFor := func(i int) []string {
		args := []string{"--id", fmt.Sprintf("n%d", i+1), "--addr", ports[i], "--raft-addr", ports[3+i],
			"--data-dir", filepath.Join(base, fmt.Sprintf("n%d", i+1)), "--peers", strings.Join(peers, ","),
			"--shards", "64", "--groups", "4"}
		return append(args, extra...)
	}
	n := &threeNodes{ports: ports, procs: make([]*serveProc, 3), clients: map[string]norikvpb.KvClient{}, argsFor: argsFor}
	for i := range n.procs {
		n.procs[i] = startServe(t, argsFor(i))
	}
	for _, p := range n.procs {
		p.waitReady(t)
	}
	for _, a := range ports[:3] {
		cc, err := grpc.NewClient(a, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cc.Close() })
		n.clients[a] = norikvpb.NewKvClient(cc)
	}
	return n
}

func TestServeSIGKILLAndRestartCatchesUp(t *testing.T) {
	n := startThree(t)
	ports, procs, clients, argsFor := n.ports, n.procs, n.clients, n.argsFor
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	written := map[string]*norikvpb.PutResponse{}
	for i := 0; i < 20; i++ {
		k := fmt.Sprintf("before-%d", i)
		written[k] = put(ctx, t, clients, ports[:3], k)
	}
	// SIGKILL n2: no clean shutdown, no flush beyond what each write did.
	if err := procs[1].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = procs[1].cmd.Wait()
	live := []string{ports[0], ports[2]}
	for i := 0; i < 20; i++ {
		k := fmt.Sprintf("while-down-%d", i)
		written[k] = put(ctx, t, clients, live, k)
	}
	procs[1] = startServe(t, argsFor(1))
	procs[1].waitReady(t)
	for k, p := range written {
		for {
			g, err := clients[ports[1]].Get(ctx, &norikvpb.GetRequest{Key: []byte(k), Consistency: "stale_ok"})
			if err == nil && g.Version.Term == p.Version.Term && g.Version.Index == p.Version.Index && string(g.Value) == "v-"+k {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("restarted n2 never caught up on %s: %v %v", k, g, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// SIGTERM stops every node cleanly with exit code 0.
	for i, p := range procs {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("n%d after SIGTERM: %v", i+1, err)
		}
	}
}
