package cluster_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves goroutines behind: a
// closed cluster must stop every Raft group, transport and server.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// gRPC's client-side resolver/balancer goroutines wind down asynchronously.
		goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
		goleak.IgnoreTopFunction("google.golang.org/grpc/internal/transport.(*controlBuffer).get"),
	)
}
