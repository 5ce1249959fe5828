package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
	"github.com/norikv/norikv-console/ui/msglog"
	"github.com/norikv/norikv-console/ui/ops"
)

// Status levels, as the message log stores them.
const (
	levelInfo  = msglog.Info
	levelWarn  = msglog.Warn
	levelError = msglog.Error
)

// note shows a message in the status line and keeps it in the message log
// (and the console log file) with its latency.
func (m *Model) note(level msglog.Level, text string, latency time.Duration, write bool) {
	// Keys and values quoted in a message may hold clusters terminals
	// draw wider than measured: the status line is padded to the width.
	e := msglog.Entry{At: time.Now(), Level: level, Text: common.TermSafe(text), Latency: latency, Write: write}
	m.log.Add(e)
	// An error stays until the user's next action (which clears it before
	// any result arrives): a background note goes to the log only.
	if level == levelError || m.status == nil || m.status.Level != levelError {
		m.status, m.statusTicks = &e, 0
	}
	switch level {
	case levelError:
		m.journal.Logf("error: %s", text)
	case levelWarn:
		m.journal.Logf("warning: %s", text)
	default:
		m.journal.Logf("info: %s", text)
	}
}

// setError shows err (with what to do about it, where that helps).
func (m *Model) setError(err error) {
	m.lastErr = err
	if err == nil {
		return
	}
	text := err.Error()
	if hint := ops.ClientErrorHint(err); hint != "" {
		text += " — " + hint
	}
	m.note(levelError, text, 0, false)
}

// setInfo shows a success note; it fades after infoFor ticks.
func (m *Model) setInfo(s string) {
	m.note(levelInfo, s, 0, false)
}

// onOpResult logs a finished operation, audits it when it was a write, and
// shows it in the status line.
// rec, when the write came with its audit record, replaces the record
// built from the message alone.
func (m *Model) onOpResult(msg common.OpResultMsg, rec *journal.Record) {
	delete(m.progress, msg.Op)
	m.lastOp, m.lastOpTime = msg.Op, msg.Latency
	write := rec != nil || msglog.IsWrite(msg.Op)
	if rec != nil || (write && !m.backendAudited) {
		m.audit(msg, rec)
	}
	if msg.Err != nil {
		m.lastErr = msg.Err
		text := msg.Err.Error()
		if hint := ops.ClientErrorHint(msg.Err); hint != "" {
			text += " — " + hint
		}
		m.note(levelError, text, msg.Latency, write)
		return
	}
	m.lastErr = nil
	text := msg.Op
	if msg.Info != "" {
		text += ": " + msg.Info
	}
	m.note(levelInfo, text, msg.Latency, write)
}

// onProgress shows the step a running operation is at in the status line
// (in place of a success note, not of an error) until its result.
func (m *Model) onProgress(msg ops.ProgressMsg) {
	if m.progress == nil {
		m.progress = map[string]string{}
	}
	m.progress[msg.Op] = msg.Step
	if m.status != nil && m.status.Level != levelError {
		m.status = nil
	}
	m.journal.Logf("info: %s: %s", msg.Op, msg.Step)
}

// progressText is every running operation's step, in operation order.
func (m *Model) progressText() string {
	parts := make([]string, 0, len(m.progress))
	for op, step := range m.progress {
		parts = append(parts, op+": "+step)
	}
	slices.Sort(parts)
	return strings.Join(parts, " · ")
}

// clearOnAction drops an error from the status line when the user does the
// next thing (it stays in the message log).
func (m *Model) clearOnAction() {
	if m.status != nil && m.status.Level == levelError {
		m.status, m.lastErr = nil, nil
	}
}

// fadeInfo runs on every tick: success notes leave after a few seconds.
func (m *Model) fadeInfo() {
	if m.status == nil || m.status.Level == levelError {
		return
	}
	if m.statusTicks++; m.statusTicks > infoFor {
		m.status = nil
	}
}

// statusLine: the filter input, or the newest message fitted to the width
// (cut with … and a pointer to the log when it does not fit), then the last
// operation's latency and key hints on the right.
func (m *Model) statusLine() string {
	st := m.common.Styles
	var left string
	isErr := false
	switch {
	case m.filtering:
		left = st.Status.Render(" ") + m.filter.View() + st.StatusDesc.Render("  enter keep · esc clear")
	case m.seeding != nil && m.seeding.running && m.status == nil:
		left = st.Status.Render(" ◌ " + m.seeding.progressText())
	case len(m.progress) > 0 && m.status == nil:
		left = st.Status.Render(" ◌ " + m.progressText())
	case m.status != nil:
		isErr = m.status.Level == levelError
		left = m.statusText(*m.status)
	case m.filter.Value() != "":
		left = st.StatusDesc.Render(fmt.Sprintf(" filter %q (esc clears)", m.filter.Value()))
	case m.connState == StateConnecting && m.connErr != nil:
		isErr = true
		left = m.statusText(msglog.Entry{Level: levelError, Text: m.firstContactText()})
	case m.connState == StateReconnecting && m.connErr != nil:
		isErr = true
		left = m.statusText(msglog.Entry{Level: levelError, Text: m.connErr.Error() + " — retrying every 2s; check the node addresses"})
	}
	var hints []string
	if m.lastOp != "" {
		hints = append(hints, st.StatusDesc.Render("last op "+common.FormatLatency(m.lastOpTime)))
	}
	for _, b := range m.common.Keys.ShortHelp() {
		if b.Help().Key == m.common.Keys.NextTab.Help().Key && m.width < 100 {
			continue
		}
		hints = append(hints, st.StatusKey.Render(b.Help().Key)+st.StatusDesc.Render(" "+b.Help().Desc))
	}
	right := strings.Join(hints, st.StatusDesc.Render("  ")) + st.Status.Render(" ")
	lw, rw := lipgloss.Width(left), lipgloss.Width(right)
	if lw+rw+1 <= m.width {
		return left + st.Status.Render(strings.Repeat(" ", m.width-lw-rw)) + right
	}
	// The message matters more than the key hints: they go first.
	if lw <= m.width {
		return left + st.Status.Render(strings.Repeat(" ", m.width-lw))
	}
	if m.filtering {
		return common.FitLine(left, m.width)
	}
	// Too long even alone: cut it with … and say the log has all of it.
	more := st.StatusKey.Render(" "+m.logKey()) + st.StatusDesc.Render(" full text ")
	if isErr {
		more = st.StatusError.Render(" ") + more
	}
	room := m.width - lipgloss.Width(more)
	if room < 12 {
		return common.FitLine(ansi.Truncate(left, m.width, "…"), m.width)
	}
	return common.FitLine(ansi.Truncate(left, room, "…"), room) + more
}

// firstContactText is the status line of a console that has not connected
// yet: the addresses it tries, how many attempts failed and the last
// error's reason (the message log has the error in full).
func (m *Model) firstContactText() string {
	var addrs []string
	if c := m.common.Client; c != nil {
		addrs = c.Config().Nodes
	}
	where := "the cluster"
	if len(addrs) > 0 {
		where = strings.Join(addrs, ", ")
	}
	attempts := "1 attempt"
	if m.connAttempts > 1 {
		attempts = fmt.Sprintf("%d attempts", m.connAttempts)
	}
	// The reason first: at 80-120 columns the addresses are what gets cut.
	return fmt.Sprintf("connecting: no answer yet (%s; last: %s) from %s — retrying every 2s; check the node addresses",
		attempts, connReason(m.connErr), where)
}

// connReason shortens a failed connection attempt's error to its reason
// ("connection refused") when it is a known one, so the status line shows
// it at 80 columns; the reasons of several nodes are joined ("connection
// refused / no answer within the timeout"); anything else is given whole.
func connReason(err error) string {
	text := err.Error()
	var found []string
	for _, r := range []struct{ in, say string }{
		{"connection refused", "connection refused"},
		{"no such host", "unknown host"},
		{"certificate", "TLS certificate refused"},
		{"tls:", "TLS handshake failed"},
		{"looked like an HTTP/1.1", "not a gRPC server (it answered something else)"},
		{"frame too large", "not a gRPC server (it answered something else)"},
		{"closed the connection during the handshake", "closed during the handshake (a TLS port, or not a NoriKV node)"},
		{"deadline exceeded", "no answer within the timeout"},
		{"i/o timeout", "no answer within the timeout"},
		{"before the context ended", "no answer within the timeout"},
		{"connection reset", "connection reset by the node"},
		{"network is unreachable", "network unreachable"},
		{"no route to host", "no route to host"},
	} {
		if strings.Contains(text, r.in) && !slices.Contains(found, r.say) {
			found = append(found, r.say)
		}
	}
	if len(found) == 0 {
		return text
	}
	return strings.Join(found, " / ")
}

// statusText renders a message for the status line: a mark, the text and,
// for an operation, its latency.
func (m *Model) statusText(e msglog.Entry) string {
	st := m.common.Styles
	switch e.Level {
	case levelError:
		return st.StatusError.Render(" ✗ " + e.Text)
	case levelWarn:
		return st.StateWarn.Render(" ! " + e.Text)
	}
	return st.Status.Render(" ✓ " + e.Text)
}

// LastError returns the error shown in the status line, if any.
func (m *Model) LastError() error {
	if m.lastErr != nil {
		return m.lastErr
	}
	if m.status != nil && m.status.Level == levelError {
		return errors.New(m.status.Text)
	}
	return nil
}

// StatusMessage returns the status line's message text ("" when none).
func (m *Model) StatusMessage() string {
	if m.status == nil {
		return ""
	}
	return m.status.Text
}

// Messages returns the message log, oldest first.
func (m *Model) Messages() []msglog.Entry { return m.log.Entries(false) }

// audit appends a write's outcome to the audit file (on the journal's
// goroutine, never blocking the event loop).
func (m *Model) audit(msg common.OpResultMsg, rec *journal.Record) {
	r := journal.Record{Op: msg.Op}
	if rec != nil {
		r = *rec
	}
	r.Time, r.Result, r.LatencyMS = time.Now(), "ok", float64(msg.Latency.Microseconds())/1000
	if msg.Err != nil {
		r.Result = msg.Err.Error()
	}
	m.journal.Audit(r)
}
