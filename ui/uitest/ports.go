package uitest

import (
	"fmt"
	"net"
	"testing"
)

// FreeBasePort finds three consecutive free loopback ports: a base port for
// an embedded 3-node cluster, so a test can close it and start another one
// on the same addresses.
func FreeBasePort(t testing.TB) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		ok := base+2 < 65536
		for i := 1; ok && i < 3; i++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				ok = false
				break
			}
			_ = l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no three consecutive free ports")
	return 0
}
