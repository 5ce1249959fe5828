//go:build unix

package ui

import (
	"testing"

	"github.com/norikv/norikv-console/server/proccluster"
)

// TestMain lets the process-cluster tests (SIGSTOP, SIGKILL on real serve
// processes) re-execute this binary as `serve`.
func TestMain(m *testing.M) { proccluster.Main(m) }
