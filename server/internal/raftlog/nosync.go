package raftlog

import "github.com/cockroachdb/pebble/vfs"

// noSyncFS turns every fsync into a no-op. Commits still wait for the
// write-ahead log to be written to the OS (they are committed with
// pebble.Sync), so they survive a killed process, only not a power loss.
// Committing with pebble.NoSync instead would return before the log
// writer hands the record to the OS, losing acknowledged writes on SIGKILL.
type noSyncFS struct{ vfs.FS }

func (fs noSyncFS) Create(name string) (vfs.File, error) {
	return wrapNoSync(fs.FS.Create(name))
}

func (fs noSyncFS) OpenReadWrite(name string, opts ...vfs.OpenOption) (vfs.File, error) {
	return wrapNoSync(fs.FS.OpenReadWrite(name, opts...))
}

func (fs noSyncFS) OpenDir(name string) (vfs.File, error) {
	return wrapNoSync(fs.FS.OpenDir(name))
}

func (fs noSyncFS) ReuseForWrite(oldname, newname string) (vfs.File, error) {
	return wrapNoSync(fs.FS.ReuseForWrite(oldname, newname))
}

func wrapNoSync(f vfs.File, err error) (vfs.File, error) {
	if err != nil {
		return nil, err
	}
	return noSyncFile{f}, nil
}

type noSyncFile struct{ vfs.File }

func (noSyncFile) Sync() error                { return nil }
func (noSyncFile) SyncData() error            { return nil }
func (noSyncFile) SyncTo(int64) (bool, error) { return false, nil }
