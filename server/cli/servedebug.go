package cli

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves Go's profiling endpoints (/debug/pprof/: CPU, heap,
// allocation, goroutine and execution-trace profiles) on addr until the
// returned stop is called, and returns the address it listens on. They are for looking at a running node's latency
// and CPU (e.g. `go tool trace` of /debug/pprof/trace?seconds=5), so they
// listen on their own address, off unless asked for, never on the client or
// metrics port.
func serveDebug(addr string) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("--debug-addr %s: %w (pick a free host:port, e.g. 127.0.0.1:6060)", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Serve returns ErrServerClosed once stop runs; any other error
		// means the listener broke, and profiling is not worth failing for.
		_ = srv.Serve(ln)
	}()
	return ln.Addr().String(), func() { _ = srv.Close(); <-done }, nil
}
