package node

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"go.etcd.io/bbolt"

	"github.com/norikv/norikv-console/server/internal/raftlog"
)

// LogStore names the engine holding a node's Raft logs.
type LogStore string

const (
	// LogStoreAuto keeps what the data directory holds, and uses
	// LogStorePebble for a new one.
	LogStoreAuto LogStore = ""
	// LogStorePebble keeps the logs of all groups in one Pebble engine
	// (DataDir/raftlog), whose group commit merges the concurrent appends
	// of all groups into one fsync.
	LogStorePebble LogStore = "pebble"
	// LogStoreBolt keeps one bbolt file per group (DataDir/<group>/raft.db),
	// the layout of data directories made before the Pebble store.
	LogStoreBolt LogStore = "bolt"
)

// logStoreMarker is the file in the data directory naming its log store,
// so a node never reads one kind of data as the other.
const logStoreMarker = "raft-log-store"

// groupStore is one group's Raft log and stable store.
type groupStore interface {
	raft.LogStore
	raft.StableStore
	io.Closer
}

// openLogStores settles which store the data directory holds (refusing a
// configuration that asks for the other) and opens the shared engine if
// it is Pebble. It runs before any group opens.
func (n *Node) openLogStores() error {
	kind, err := dataDirLogStore(n.cfg.DataDir, n.cfg.LogStore)
	if err != nil {
		return err
	}
	n.logStore = kind
	if kind != LogStorePebble {
		return nil
	}
	n.raftLog, err = raftlog.Open(filepath.Join(n.cfg.DataDir, "raftlog"), raftlog.Options{
		Fsync: n.cfg.Fsync, MinFree: n.cfg.MinFreeBytes, OnSpace: n.onSpace, OnSync: n.syncs.observe,
	})
	return err
}

// dataDirLogStore returns the store dir holds, recording want in a new one.
func dataDirLogStore(dir string, want LogStore) (LogStore, error) {
	if want != LogStoreAuto && want != LogStorePebble && want != LogStoreBolt {
		return "", fmt.Errorf("unknown Raft log store %q (use %q or %q)", want, LogStorePebble, LogStoreBolt)
	}
	marker := filepath.Join(dir, logStoreMarker)
	held := LogStoreAuto
	b, err := os.ReadFile(marker)
	missing := errors.Is(err, fs.ErrNotExist)
	switch {
	case err == nil:
		held = LogStore(strings.TrimSpace(string(b)))
		if held != LogStorePebble && held != LogStoreBolt {
			return "", fmt.Errorf("%s names an unknown Raft log store %q (expected %q or %q)", marker, held, LogStorePebble, LogStoreBolt)
		}
	case !missing:
		return "", fmt.Errorf("read %s: %w", marker, err)
	default:
		// Data directories from before the marker hold bbolt logs.
		if old, _ := filepath.Glob(filepath.Join(dir, "*", "raft.db")); len(old) > 0 {
			held = LogStoreBolt
		}
	}
	if held != LogStoreAuto && want != LogStoreAuto && held != want {
		return "", fmt.Errorf("data dir %s holds %s Raft logs but the %s store was asked for: the two cannot be mixed; start with the %s store or use an empty data dir", dir, held, want, held)
	}
	kind := held
	if kind == LogStoreAuto {
		kind = want
	}
	if kind == LogStoreAuto {
		kind = LogStorePebble
	}
	if missing {
		if werr := writeFileSynced(marker, []byte(string(kind)+"\n")); werr != nil {
			return "", fmt.Errorf("record the Raft log store in %s: %w", marker, werr)
		}
	}
	return kind, nil
}

func writeFileSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// openGroupStore opens the log store of the group called name, whose own
// directory (snapshots, bbolt file) is dir.
func (n *Node) openGroupStore(name, dir string) (groupStore, error) {
	if n.logStore == LogStorePebble {
		return n.raftLog.Store(name)
	}
	return raftboltdb.New(raftboltdb.Options{
		Path:   filepath.Join(dir, "raft.db"),
		NoSync: !n.cfg.Fsync,
		// The freelist is rebuilt on open instead of written on every
		// commit: each append is one small commit per group, and
		// writing the freelist each time dominated their cost.
		BoltOptions: &bbolt.Options{Timeout: time.Second, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType},
	})
}

// closeLogStores closes the shared engine, after every group has stopped.
func (n *Node) closeLogStores() error {
	if n.raftLog == nil {
		return nil
	}
	if err := n.raftLog.Close(); err != nil {
		return fmt.Errorf("close Raft log store: %w", err)
	}
	return nil
}
