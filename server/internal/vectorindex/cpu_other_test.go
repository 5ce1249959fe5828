//go:build !unix

package vectorindex

import "time"

// processCPU is not measured here; CPU metrics report 0.
func processCPU() time.Duration { return 0 }
