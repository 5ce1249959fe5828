package client_test

import (
	"testing"

	"github.com/norikv/norikv-console/server/proccluster"
)

// TestMain lets server/proccluster re-execute this test binary as `serve`
// nodes for the process-level fault tests (SIGSTOP, SIGKILL, restarts).
func TestMain(m *testing.M) { proccluster.Main(m) }
