// Package journal writes the console's two files in the user's state
// directory ($XDG_STATE_HOME/norikv-console/, else ~/.local/state/...):
// console.log, a plain log (panics caught in panes with their stacks, every
// status message), and audit.jsonl, one JSON line per write made from the
// console. Writes happen on a goroutine fed by a channel so the event loop
// never waits on the disk.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File names inside the state directory.
const (
	LogName   = "console.log"
	AuditName = "audit.jsonl"
)

// MaxLogBytes is the size past which console.log is moved to console.log.1
// when the console starts.
const MaxLogBytes = 8 << 20

// queueLen bounds the lines waiting for the disk; beyond it lines are
// dropped (and the drop is logged) rather than blocking the event loop.
const queueLen = 1024

// Dir returns the console's state directory: $XDG_STATE_HOME/norikv-console,
// falling back to ~/.local/state/norikv-console.
func Dir() (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the state directory: set XDG_STATE_HOME or HOME: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "norikv-console"), nil
}

// Record is one write made from the console, as stored in audit.jsonl.
type Record struct {
	Time time.Time `json:"time"`
	// Op names the operation: "put", "delete", "ttl", "vector-insert", ...
	Op string `json:"op"`
	// Key is the key written (KV operations).
	Key string `json:"key,omitempty"`
	// Namespace and ID name the vector index and vector (vector operations).
	Namespace string `json:"namespace,omitempty"`
	ID        string `json:"id,omitempty"`
	// VersionBefore is the version the write expected or replaced
	// ("term/index"), empty when unknown or unconditional.
	VersionBefore string `json:"version_before,omitempty"`
	// VersionAfter is the version the write produced, empty on failure.
	VersionAfter string `json:"version_after,omitempty"`
	// IdempotencyKey is the key that makes a retry safe, when there is one.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Result is "ok" or the error text.
	Result string `json:"result"`
	// LatencyMS is how long the write took.
	LatencyMS float64 `json:"latency_ms"`
}

// Journal appends to console.log and audit.jsonl. A nil *Journal discards
// everything, so tests and callers without a state directory need no checks.
type Journal struct {
	dir     string
	lines   chan line
	stopped chan struct{} // closed by the writer once the files are closed

	mu      sync.Mutex // guards closed, dropped and err
	closed  bool
	dropped int
	err     error // first write error, reported by Close
}

type line struct {
	audit bool
	data  []byte
}

// Open creates dir if needed and starts the writer.
func Open(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the state directory: %w", err)
	}
	logPath := filepath.Join(dir, LogName)
	if fi, err := os.Stat(logPath); err == nil && fi.Size() > MaxLogBytes {
		// One old generation is kept; the audit file is never rotated.
		if err := os.Rename(logPath, logPath+".1"); err != nil {
			return nil, fmt.Errorf("rotate the console log: %w", err)
		}
	}
	logF, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the console log: %w", err)
	}
	auditF, err := os.OpenFile(filepath.Join(dir, AuditName), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		_ = logF.Close()
		return nil, fmt.Errorf("open the audit file: %w", err)
	}
	j := &Journal{dir: dir, lines: make(chan line, queueLen), stopped: make(chan struct{})}
	go j.write(logF, auditF)
	return j, nil
}

// LogPath returns the console log's path ("" for a nil Journal).
func (j *Journal) LogPath() string {
	if j == nil {
		return ""
	}
	return filepath.Join(j.dir, LogName)
}

// AuditPath returns the audit file's path ("" for a nil Journal).
func (j *Journal) AuditPath() string {
	if j == nil {
		return ""
	}
	return filepath.Join(j.dir, AuditName)
}

// Logf appends a timestamped line (or block) to the console log.
func (j *Journal) Logf(format string, args ...any) {
	if j == nil {
		return
	}
	text := time.Now().UTC().Format(time.RFC3339Nano) + " " + fmt.Sprintf(format, args...) + "\n"
	j.enqueue(line{data: []byte(text)})
}

// Audit appends a write record to the audit file.
func (j *Journal) Audit(r Record) {
	if j == nil {
		return
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	data, err := json.Marshal(r)
	if err != nil { // a Record holds only strings, numbers and a time
		j.Logf("audit: encode %s: %v", r.Op, err)
		return
	}
	j.enqueue(line{audit: true, data: append(data, '\n')})
}

// enqueue never blocks: with the queue full the line is dropped and counted.
func (j *Journal) enqueue(l line) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return
	}
	select {
	case j.lines <- l:
	default:
		j.dropped++
	}
}

// Close writes what is queued and closes the files; it returns the first
// write error, if any.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	if !j.closed {
		j.closed = true
		close(j.lines)
	}
	j.mu.Unlock()
	<-j.stopped
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

func (j *Journal) write(logF, auditF *os.File) {
	defer close(j.stopped)
	for l := range j.lines {
		f := logF
		if l.audit {
			f = auditF
		}
		_, err := f.Write(l.data)
		j.mu.Lock()
		if n := j.dropped; n > 0 && err == nil {
			j.dropped = 0
			_, err = fmt.Fprintf(logF, "%s journal: %d lines dropped (the disk was slower than the console)\n", time.Now().UTC().Format(time.RFC3339Nano), n)
		}
		if err != nil && j.err == nil {
			j.err = fmt.Errorf("write %s: %w", f.Name(), err)
		}
		j.mu.Unlock()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.err = errors.Join(j.err, logF.Close(), auditF.Close())
}
