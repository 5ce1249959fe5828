package slowfs

import (
	"sync/atomic"
	"time"
)

// Delay is how much slower a mounted file system's syncs and writes are.
// Its methods are safe for concurrent use; the zero value delays nothing.
type Delay struct {
	sync  atomic.Int64 // ns added to each fsync/fdatasync
	write atomic.Int64 // ns added to each write
	syncs atomic.Int64 // syncs served
}

// NewDelay returns a Delay adding d to every sync.
func NewDelay(d time.Duration) *Delay {
	x := &Delay{}
	x.Set(d)
	return x
}

// Set makes every sync take d longer (0: none), those waiting included:
// lowering it releases them.
func (x *Delay) Set(d time.Duration) { x.sync.Store(int64(d)) }

// SetWrite makes every write from now on take d longer (0: none).
func (x *Delay) SetWrite(d time.Duration) { x.write.Store(int64(d)) }

// Get returns the delay added to each sync.
func (x *Delay) Get() time.Duration { return time.Duration(x.sync.Load()) }

// Syncs returns how many fsync/fdatasync calls the file system served.
func (x *Delay) Syncs() int64 { return x.syncs.Load() }
