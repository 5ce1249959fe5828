// Package msglog is the console's message log: a bounded ring of every
// status message (time, level, full text, the operation's latency), and the
// overlay that shows it, optionally only the writes.
package msglog

import (
	"strings"
	"time"
)

// Capacity is how many messages the log keeps; older ones are dropped.
const Capacity = 500

// Level is a message's severity.
type Level int

// Levels, from least to most severe.
const (
	Info Level = iota
	// Warn is bad news that needs no action from the user now (a node the
	// console cannot reach): marked "!", it fades like Info.
	Warn
	Error
)

// Entry is one status message.
type Entry struct {
	At      time.Time
	Level   Level
	Text    string
	Latency time.Duration // 0 when the message is not an operation's result
	// Write marks the result of a write (put, delete, insert, leader move...).
	Write bool
}

// Log is a bounded ring of entries, oldest first.
type Log struct {
	entries []Entry
	next    int // where the next entry goes once the ring is full
	cap     int
}

// New returns an empty log holding at most capacity entries.
func New(capacity int) *Log {
	return &Log{cap: max(1, capacity)}
}

// Add appends e, dropping the oldest entry when full.
func (l *Log) Add(e Entry) {
	if len(l.entries) < l.cap {
		l.entries = append(l.entries, e)
		return
	}
	l.entries[l.next] = e
	l.next = (l.next + 1) % l.cap
}

// Len returns how many entries the log holds.
func (l *Log) Len() int { return len(l.entries) }

// Entries returns the entries oldest first, only the writes if writesOnly.
func (l *Log) Entries(writesOnly bool) []Entry {
	out := make([]Entry, 0, len(l.entries))
	for i := range l.entries {
		e := l.entries[(l.next+i)%len(l.entries)]
		if !writesOnly || e.Write {
			out = append(out, e)
		}
	}
	return out
}

// writeVerbs start the operation names of writes, as the console's panes
// and commands name them ("put \"user:1\"", "delete vector ...", ...).
var writeVerbs = []string{"put ", "edit ", "save ", "remove the ttl", "delete ", "set ", "ttl ", "expire ", "insert ", "import ",
	"create index", "drop index", "move leader", "stop node", "restart node"}

// IsWrite reports whether an operation name is a write.
func IsWrite(op string) bool {
	op = strings.ToLower(op)
	for _, v := range writeVerbs {
		if strings.HasPrefix(op, v) {
			return true
		}
	}
	return false
}
