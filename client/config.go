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
	DefaultMaxAttempts  = 20 // all retry classes together; each class has its own, smaller budget
	DefaultInitialDelay = 20 * time.Millisecond
	DefaultMaxDelay     = time.Second
	DefaultJitter       = 20 * time.Millisecond
	DefaultEventBuffer  = 256
	DefaultWatchSilence = 2 * time.Second
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
	// AdoptShardCount makes the client take the cluster's shard count from
	// its views: TotalShards is used until the first view, and a cluster
	// that comes back with another count (restarted with other settings)
	// is followed; TopologyEvent.TotalShards says when the count changed.
	// Without it the count stays TotalShards and calls that name shards
	// (Scan, ScanShard) fail with ErrShardCount while the cluster's differs.
	AdoptShardCount bool
	// Timeout bounds each attempt of a request; 0 means 5s. The whole call is
	// bounded by the caller's context and the retry budget. An attempt is
	// cancelled between Timeout and Timeout+Timeout/16 after it was sent
	// (attempts share deadlines in slots of Timeout/16; see attempt.go).
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
	// WatchSilence is how long the topology watch may stay silent, on a
	// server that repeats its view as a heartbeat (ours does every second),
	// before the client moves the watch to another node; 0 means 2s (two
	// missed heartbeats). On a
	// server that never repeats, silence past it makes the client ask
	// another node whether the cluster moved on.
	WatchSilence time.Duration
}

// RetryConfig is the retry policy for transient failures. Each class of
// failure has its own budget (RetryClass), modelled on tikv client-go's
// backoff classes; MaxAttempts caps all classes together.
type RetryConfig struct {
	// MaxAttempts is the total number of attempts, including the first,
	// spent on transient failures of all classes together (NOT_LEADER hints
	// that are followed do not count); 0 means 20. Set explicitly, it also
	// caps each class's default budget.
	MaxAttempts int
	// InitialDelay is the wait before the first retry of a class that does
	// not set its own; 0 means 20ms.
	InitialDelay time.Duration
	// MaxDelay caps the exponentially growing wait of a class that does not
	// set its own; 0 means 1s.
	MaxDelay time.Duration
	// Jitter adds up to this much random time to each wait; 0 means 20ms,
	// negative means none.
	Jitter time.Duration

	// NotLeader budgets NOT_LEADER answers without a usable hint: the shard
	// has no known leader, an election is probably in progress. Default
	// {MaxAttempts: 10}: about 4s of retries, enough for an election on a
	// loaded machine.
	NotLeader RetryClass
	// Unavailable budgets a node that answered UNAVAILABLE or ABORTED.
	// Default {MaxAttempts: 10}.
	Unavailable RetryClass
	// Timeout budgets attempts that outlived Config.Timeout. The node is
	// marked suspect and the next attempt goes elsewhere at once, with
	// 2×Config.Timeout to answer. Default {MaxAttempts: 3, no delay}: a call
	// without a deadline spends at most 5×Config.Timeout on timeouts.
	Timeout RetryClass
	// Connect budgets transport failures (connection refused or reset).
	// Default {MaxAttempts: 10}.
	Connect RetryClass
}

// RetryClass is the budget of one class of transient failure. Zero fields
// take the class default; MaxAttempts is further capped by
// RetryConfig.MaxAttempts.
type RetryClass struct {
	// MaxAttempts is how many attempts of one call may fail with this class
	// before the call gives up.
	MaxAttempts int
	// InitialDelay is the wait before the first retry of this class;
	// negative means no wait.
	InitialDelay time.Duration
	// MaxDelay caps the exponentially growing wait.
	MaxDelay time.Duration
}

// retryClassDefaults is the class table: only what differs from the
// RetryConfig-wide delays is set. A function, not a variable, so nothing
// at package level can be mutated.
func retryClassDefaults() [numRetryClasses]RetryClass {
	return [numRetryClasses]RetryClass{
		classNotLeader:   {MaxAttempts: 10},
		classUnavailable: {MaxAttempts: 10},
		classTimeout:     {MaxAttempts: 3, InitialDelay: -1, MaxDelay: -1},
		classConnect:     {MaxAttempts: 10},
	}
}

func (r RetryConfig) withDefaults() RetryConfig {
	explicitMax := r.MaxAttempts > 0
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
	defs := retryClassDefaults()
	for i, p := range r.classes() {
		*p = p.withDefaults(defs[i], r, explicitMax)
	}
	return r
}

// classes returns pointers to the per-class budgets, indexed by retryClass.
func (r *RetryConfig) classes() [numRetryClasses]*RetryClass {
	return [numRetryClasses]*RetryClass{
		classNotLeader:   &r.NotLeader,
		classUnavailable: &r.Unavailable,
		classTimeout:     &r.Timeout,
		classConnect:     &r.Connect,
	}
}

// withDefaults fills zero fields from def, then from the RetryConfig-wide
// delays. A class default's MaxAttempts yields to an explicit, smaller
// RetryConfig.MaxAttempts so that setting the overall budget keeps working
// as it did before classes existed.
func (c RetryClass) withDefaults(def RetryClass, r RetryConfig, explicitMax bool) RetryClass {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = def.MaxAttempts
		if explicitMax && r.MaxAttempts < c.MaxAttempts {
			c.MaxAttempts = r.MaxAttempts
		}
	}
	if c.InitialDelay == 0 {
		c.InitialDelay = def.InitialDelay
	}
	if c.InitialDelay == 0 {
		c.InitialDelay = r.InitialDelay
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = def.MaxDelay
		if c.MaxDelay == 0 || c.MaxDelay > r.MaxDelay {
			c.MaxDelay = r.MaxDelay
		}
	}
	if c.InitialDelay < 0 {
		c.InitialDelay = 0
	}
	if c.MaxDelay < c.InitialDelay {
		c.MaxDelay = c.InitialDelay
	}
	return c
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
	if c.WatchSilence <= 0 {
		c.WatchSilence = DefaultWatchSilence
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
