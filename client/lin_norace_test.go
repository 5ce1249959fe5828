//go:build !race

package client_test

// linRace is true under the race detector, which sizes the linearizability
// check's workload down.
const linRace = false
