//go:build unix

package app

import (
	"testing"

	"github.com/norikv/norikv-console/server/proccluster"
)

// TestMain lets the process-cluster tests re-execute this binary as `serve`
// nodes.
func TestMain(m *testing.M) { proccluster.Main(m) }
