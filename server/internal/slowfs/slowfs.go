//go:build linux

// Package slowfs mounts a FUSE passthrough file system whose fsync and
// fdatasync (and, optionally, writes) take longer by a delay that can be
// changed while it is mounted: a disk that is slow, not dead (a degraded
// SSD, a noisy neighbour, a cloud volume out of burst credits), for tests.
//
// Mounting needs root (CAP_SYS_ADMIN) and /dev/fuse; Mount's error says
// which is missing.
package slowfs

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// waitSync holds a sync until it has waited the Delay's sync delay as it
// is now: lowering it (Set) releases the syncs waiting, like a disk that
// recovers. It also ends when ctx does (the caller was interrupted).
func waitSync(ctx context.Context, x *Delay) {
	start := time.Now()
	for {
		left := x.Get() - time.Since(start)
		if left <= 0 {
			return
		}
		t := time.NewTimer(min(left, 10*time.Millisecond))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// wait sleeps for d unless ctx ends first.
func wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// node is a loopback node whose syncs and writes wait for the Delay.
type node struct {
	*fs.LoopbackNode
	delay *Delay
}

var (
	_ fs.NodeFsyncer     = (*node)(nil)
	_ fs.NodeWriter      = (*node)(nil)
	_ fs.NodeWrapChilder = (*node)(nil)
)

// WrapChild makes every node the loopback file system creates below the
// root a delayed one.
func (n *node) WrapChild(_ context.Context, ops fs.InodeEmbedder) fs.InodeEmbedder {
	if ln, ok := ops.(*fs.LoopbackNode); ok {
		return &node{LoopbackNode: ln, delay: n.delay}
	}
	return ops
}

func (n *node) Fsync(ctx context.Context, f fs.FileHandle, flags uint32) syscall.Errno {
	n.delay.syncs.Add(1)
	waitSync(ctx, n.delay)
	if s, ok := f.(fs.FileFsyncer); ok {
		return s.Fsync(ctx, flags)
	}
	if f == nil {
		return fs.OK // a directory opened without a handle: nothing of ours to sync
	}
	return syscall.ENOTSUP
}

func (n *node) Write(ctx context.Context, f fs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	wait(ctx, time.Duration(n.delay.write.Load()))
	w, ok := f.(fs.FileWriter)
	if !ok {
		return 0, syscall.EBADF
	}
	return w.Write(ctx, data, off)
}

// Mount mounts backing (an existing directory) on dir (created if missing)
// with delay's syncs and writes, and returns a function that unmounts it.
// Files written through dir land in backing.
func Mount(dir, backing string, delay *Delay) (unmount func() error, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		return nil, fmt.Errorf("slowfs: backing directory: %w", err)
	}
	root := &fs.LoopbackRoot{Path: backing, Dev: uint64(st.Dev)}
	rootNode := &node{LoopbackNode: &fs.LoopbackNode{RootData: root}, delay: delay}
	root.RootNode = rootNode
	srv, err := fs.Mount(dir, rootNode, &fs.Options{
		MountOptions: fuse.MountOptions{
			DirectMount: true,
			FsName:      "slowfs:" + backing,
			Name:        "slowfs",
			AllowOther:  true, // the node runs as another process of the same user; harmless as root
		},
	})
	if err != nil {
		return nil, fmt.Errorf("slowfs: mount FUSE on %s (needs root or CAP_SYS_ADMIN and /dev/fuse): %w", dir, err)
	}
	return func() error {
		// A lingering node may still hold files open: retry briefly, then
		// detach lazily.
		var err error
		for i := 0; i < 20; i++ {
			if err = srv.Unmount(); err == nil {
				srv.Wait()
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		if derr := syscall.Unmount(dir, syscall.MNT_DETACH); derr != nil {
			return fmt.Errorf("slowfs: unmount %s: %v (lazy: %v)", dir, err, derr)
		}
		return nil
	}, nil
}
