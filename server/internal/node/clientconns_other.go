//go:build !unix

package node

// openFileLimit: no open-file limit to read here, so client connections
// are not capped unless Config.MaxClientConns says so.
func openFileLimit() (uint64, bool) { return 0, false }
