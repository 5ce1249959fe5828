//go:build !linux

package timerslack

import "time"

// Get returns 0: timer slack is a Linux setting.
func Get() (time.Duration, error) { return 0, nil }

// Apply does nothing: timer slack is a Linux setting.
func Apply(d time.Duration, argv []string) error { return Check(d) }
