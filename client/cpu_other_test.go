//go:build !unix

package client_test

import "time"

// processCPU is not measured here: cpu ratios report 0.
func processCPU() time.Duration { return 0 }
