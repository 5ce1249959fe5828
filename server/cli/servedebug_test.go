package cli

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServeDebugServesProfiles(t *testing.T) {
	addr, stop, err := serveDebug("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/trace?seconds=0.05"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("GET %s: status %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
}

func TestServeDebugBadAddress(t *testing.T) {
	_, _, err := serveDebug("not-an-address")
	if err == nil || !strings.Contains(err.Error(), "--debug-addr not-an-address") || !strings.Contains(err.Error(), "127.0.0.1:6060") {
		t.Fatalf("want an error naming the flag and an example, got %v", err)
	}
}
