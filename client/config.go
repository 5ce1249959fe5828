package client

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
)

// Defaults applied to zero fields of Config and RetryConfig.
const (
	DefaultTimeout      = 5 * time.Second
	DefaultMaxAttempts  = 10
	DefaultInitialDelay = 20 * time.Millisecond
	DefaultMaxDelay     = time.Second
	DefaultJitter       = 20 * time.Millisecond
	DefaultEventBuffer  = 256
	// DefaultMaxRedirects bounds how many NOT_LEADER hints one call follows;
	// hints do not consume retry attempts, this cap stops a redirect loop.
	DefaultMaxRedirects = 16
)

// Config configures a Client. Nodes and TotalShards are required.
type Config struct {
	// Nodes are seed addresses (host:port). They stay a fallback when the
	// addresses announced in cluster views are not dialable.
	Nodes []string
	// TotalShards is the cluster's shard count (NoriKV clusters use 1024).
	TotalShards int
	// Timeout bounds each attempt of a request; 0 means 5s. The whole call is
	// bounded by the caller's context and the retry budget.
	Timeout time.Duration
	// Retry is the retry policy; zero fields take the documented defaults.
	Retry RetryConfig
	// MaxRedirects bounds NOT_LEADER hints followed per call; 0 means 16.
	MaxRedirects int

	// TLS enables transport security; nil means plaintext.
	TLS *tls.Config
	// DialOptions are appended to the client's own gRPC dial options.
	DialOptions []grpc.DialOption
	// DisableWatch turns off the Meta.WatchCluster topology stream; the
	// client then learns leaders only from redirects.
	DisableWatch bool
	// EventBuffer is how many topology events may wait per subscriber before
	// new ones are merged into the last waiting one; 0 means 256.
	EventBuffer int
}

// RetryConfig is the retry policy for transient failures.
type RetryConfig struct {
	// MaxAttempts is the total number of attempts, including the first,
	// spent on transient failures (NOT_LEADER hints do not count); 0 means 10.
	// With the default delays the budget spans about 4s, enough for a leader
	// election after a node failure.
	MaxAttempts int
	// InitialDelay is the wait before the first retry; 0 means 20ms.
	InitialDelay time.Duration
	// MaxDelay caps the exponentially growing wait; 0 means 1s.
	MaxDelay time.Duration
	// Jitter adds up to this much random time to each wait; 0 means 20ms,
	// negative means none.
	Jitter time.Duration
}

func (r RetryConfig) withDefaults() RetryConfig {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.InitialDelay <= 0 {
		r.InitialDelay = DefaultInitialDelay
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = DefaultMaxDelay
	}
	if r.MaxDelay < r.InitialDelay {
		r.MaxDelay = r.InitialDelay
	}
	if r.Jitter == 0 {
		r.Jitter = DefaultJitter
	}
	if r.Jitter < 0 {
		r.Jitter = 0
	}
	return r
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRedirects <= 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	if c.EventBuffer <= 0 {
		c.EventBuffer = DefaultEventBuffer
	}
	c.Retry = c.Retry.withDefaults()
	c.Nodes = append([]string(nil), c.Nodes...)
	return c
}

// validate checks cfg and explains what to fix.
func (c Config) validate() error {
	if len(c.Nodes) == 0 {
		return invalidArg("new", "Config.Nodes is empty: give at least one seed address host:port")
	}
	for _, n := range c.Nodes {
		if _, _, err := net.SplitHostPort(n); err != nil {
			return invalidArg("new", "Config.Nodes: %q is not host:port: %v", n, err)
		}
	}
	if c.TotalShards <= 0 {
		return invalidArg("new", "Config.TotalShards must be positive (NoriKV clusters use 1024), got %d", c.TotalShards)
	}
	if c.TotalShards > 1<<20 {
		return invalidArg("new", "Config.TotalShards %d is too large (max %d)", c.TotalShards, 1<<20)
	}
	return nil
}

// String summarises the configuration for logs.
func (c Config) String() string {
	return fmt.Sprintf("Config{Nodes:%v TotalShards:%d Timeout:%s}", c.Nodes, c.TotalShards, c.Timeout)
}

// MaxReplyBytes is the largest reply the client accepts by default (gRPC's
// own default is 4 MiB).
const MaxReplyBytes = 64 << 20
