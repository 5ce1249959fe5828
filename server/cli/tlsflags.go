package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/norikv/norikv-console/server/internal/tlsconf"
)

// tlsFlags are the TLS options shared by serve and devcluster.
type tlsFlags struct {
	cert, key, clientCA *string
}

func addTLSFlags(fs *flag.FlagSet) tlsFlags {
	return tlsFlags{
		cert: fs.String("tls-cert", "", "PEM certificate (chain) to serve TLS on the client gRPC and replication ports (needs --tls-key)"),
		key:  fs.String("tls-key", "", "PEM private key of --tls-cert"),
		clientCA: fs.String("tls-client-ca", "",
			"PEM CA bundle: require client certificates signed by it on every port (mutual TLS; nodes present --tls-cert to each other)"),
	}
}

func (f tlsFlags) files() tlsconf.Files {
	return tlsconf.Files{CertFile: *f.cert, KeyFile: *f.key, ClientCAFile: *f.clientCA}
}

// warnPlaintext tells the operator when a port listens beyond this machine
// without TLS: plaintext stays the default only for loopback addresses.
func warnPlaintext(stderr io.Writer, cmd string, set *tlsconf.Set, addrs map[string]string) {
	if set != nil {
		return
	}
	for _, flagName := range []string{"addr", "raft-addr"} {
		addr, ok := addrs[flagName]
		if !ok || tlsconf.IsLoopback(addr) {
			continue
		}
		fmt.Fprintf(stderr, "%s: warning: --%s %s is not a loopback address and TLS is off: its traffic is plaintext "+
			"and anyone who can reach it can read and write the cluster; pass --tls-cert and --tls-key "+
			"(and --tls-client-ca to require client certificates)\n", cmd, flagName, addr)
	}
}
