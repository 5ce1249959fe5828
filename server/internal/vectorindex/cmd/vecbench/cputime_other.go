//go:build !unix

package main

import "time"

// processCPU is not measured here; cpu_qps is then reported as 0.
func processCPU() time.Duration { return 0 }
