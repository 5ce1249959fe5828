package cluster

import (
	"github.com/norikv/norikv-console/server/internal/tlsconf"
)

// loadTLS reads the TLS files of the options; nil when none is set. Every
// node of an embedded cluster uses the same certificate, so the peers
// trust each other through it (and through TLSClientCA, when set).
func (o *Options) loadTLS() (*tlsconf.Set, error) {
	return tlsconf.Load(tlsconf.Files{CertFile: o.TLSCert, KeyFile: o.TLSKey, ClientCAFile: o.TLSClientCA})
}
