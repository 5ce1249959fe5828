package ttl

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// blocks draw the histogram's bars, an eighth of a row at a time.
var blocks = []rune(" ▁▂▃▄▅▆▇█")

// histHeight is the number of bar rows the histogram gets at height h.
func histHeight(h int) int {
	switch {
	case h >= 40:
		return 8
	case h >= 20:
		return 4
	case h >= 12:
		return 2
	}
	return 1
}

func fmtVersion(v client.Version) string { return fmt.Sprintf("%d/%d", v.Term, v.Index) }

// countdown formats a remaining time compactly: 42s, 4m05s, 2h13m, 3d04h.
func countdown(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d <= 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// View implements common.Pane.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	st := m.common.Styles
	title := st.Title.Render("TTL INSPECTOR") + st.Muted.Render("  "+m.summary())
	out := []string{common.FitLine(title, m.width)}
	for _, l := range m.reasonLines() {
		out = append(out, st.Error.Render(l))
	}
	out = append(out, m.histogram()...)
	out = append(out, m.table()...)
	return common.Fit(strings.Join(out, "\n"), m.width, m.height)
}

func (m *Model) summary() string {
	if m.scannedAt.IsZero() {
		// No scan succeeded: the pane knows nothing, it does not know "0".
		switch {
		case m.scanning:
			return "not scanned yet, scanning…"
		case m.scanErr != nil:
			return "not scanned yet: scan failed: " + failureGist(m.scanErr)
		}
		return "not scanned yet"
	}
	s := fmt.Sprintf("%d keys expiring, %d scanned", len(m.rows), m.scanned)
	if m.truncated {
		s += fmt.Sprintf(" (first %d only)", maxScan)
	}
	if n := len(m.selected); n > 0 {
		s += fmt.Sprintf(", %d selected", n)
	}
	if m.bulk != "" {
		s += ", " + m.bulk + ": under way…"
	}
	if m.scanning {
		s += ", scanning…"
	}
	if m.scanErr != nil {
		// What failed comes first, so that at 80 columns the address and
		// the cause are on screen (a connection error's text runs to 200
		// characters, and "list from ..." before it pushed the address
		// out); then which scan the list comes from, briefly. The whole
		// text is under the title (reasonLines).
		s = fmt.Sprintf("rescan failed: %s; list from %s (%s ago): %s", failureGist(m.scanErr),
			m.scannedAt.Format("15:04:05"), m.now.Sub(m.scannedAt).Truncate(time.Second), s)
	}
	return s
}

// maxReasonLines bounds the failed scan's whole reason under the title.
const maxReasonLines = 4

// reasonLines is a failed scan's whole reason, wrapped at the pane width
// under the title, when the title's gist leaves part of it out.
func (m *Model) reasonLines() []string {
	if m.scanErr == nil || m.width <= 0 {
		return nil
	}
	full := errorText(m.scanErr)
	if full == failureGist(m.scanErr) {
		return nil
	}
	lines := common.Wrap("✗ "+full, m.width)
	if len(lines) > maxReasonLines {
		lines = lines[:maxReasonLines]
		last := lines[maxReasonLines-1]
		lines[maxReasonLines-1] = ansi.Truncate(last, m.width-1, "") + "…"
	}
	return lines
}

// errorText is a scan error's text without the client's prefix, which
// says nothing here.
func errorText(err error) string { return strings.TrimPrefix(err.Error(), "norikv: ") }

// failureGist is what a one-line title keeps of a failed scan's error:
// which address failed and how, the two ends of a long text
// ("127.0.0.1:7341: connection refused"), for a connection error and for
// a call whose budget ran out after its last attempt failed at an address
// (the rest is under the title, reasonLines); for other errors, the text
// before its first parenthesis.
func failureGist(err error) string {
	var ce *client.ConnectionError
	var e *client.Error
	if errors.As(err, &ce) && ce.Addr != "" && errors.As(ce, &e) {
		return ce.Addr + ": " + lastCause(e.Message)
	}
	s := errorText(err)
	const at = "the last failed at "
	if i := strings.Index(s, at); i >= 0 {
		rest := s[i+len(at):]
		if j := strings.Index(rest, ": "); j > 0 {
			// rest ends the parenthesis "(after N attempts; ...)".
			return rest[:j] + ": " + lastCause(strings.TrimSuffix(rest[j+2:], ")"))
		}
	}
	if i := strings.Index(s, " ("); i > 0 {
		s = s[:i]
	}
	return s
}

// lastCause is the innermost cause in a transport failure's message
// ("nothing listens there", "connection refused"): its last clause,
// without the advice in parentheses after it.
func lastCause(msg string) string {
	msg = strings.TrimSpace(msg)
	for strings.HasSuffix(msg, ")") {
		i := strings.LastIndex(msg, " (")
		if i <= 0 {
			break
		}
		msg = strings.TrimSpace(msg[:i])
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg = strings.Trim(msg, `"`); msg == "" {
		return "no connection"
	}
	return msg
}

// buckets counts the keys expiring in each of n equal slices of span.
func buckets(rows []entry, now time.Time, span time.Duration, n int) []int {
	out := make([]int, n)
	for _, e := range rows {
		d := e.expires.Sub(now)
		if d < 0 || d >= span {
			continue
		}
		out[int(int64(d)*int64(n)/int64(span))]++
	}
	return out
}

// histogram draws the expiries over the next hour (or day) as block bars,
// one column per slice, with an axis line under them.
func (m *Model) histogram() []string {
	st := m.common.Styles
	span, unit, label := time.Hour, time.Minute, "next 60 min"
	if m.hours {
		span, unit, label = 24*time.Hour, time.Hour, "next 24 h"
	}
	h := histHeight(m.height)
	left := 6 // the count scale's width
	n := max(1, m.width-left)
	counts := buckets(m.rows, m.now, span, n)
	peak := 0
	for _, c := range counts {
		peak = max(peak, c)
	}
	lines := make([]string, 0, h+1)
	for r := h - 1; r >= 0; r-- {
		var b strings.Builder
		for _, c := range counts {
			eighths := 0
			if peak > 0 {
				eighths = (c*h*8 + peak - 1) / peak // round up: one key still shows
			}
			lvl := min(8, max(0, eighths-r*8))
			b.WriteRune(blocks[lvl])
		}
		scale := ""
		if r == h-1 {
			scale = fmt.Sprintf("%d", peak)
		}
		lines = append(lines, st.Muted.Render(fmt.Sprintf("%*s", left-1, scale)+" ")+st.Accent.Render(b.String()))
	}
	end := fmt.Sprintf("%d%s", int(span/unit), map[time.Duration]string{time.Minute: "m", time.Hour: "h"}[unit])
	axis := fmt.Sprintf("%*s %s", left-1, "0", label)
	axis += strings.Repeat(" ", max(1, m.width-len([]rune(axis))-len(end))) + end
	return append(lines, st.Muted.Render(common.FitLine(axis, m.width)))
}

func (m *Model) table() []string {
	st := m.common.Styles
	keyW := max(8, m.width-2-10-9-10-6-4)
	keyHead := "KEY"
	if l := m.sort.Label(); l != "" {
		keyHead += "  sort: " + l // in the key column: the numbers stay visible
	}
	head := fmt.Sprintf("  %-10s %-*s %9s %10s %6s", "EXPIRES IN", keyW, keyHead, "SIZE", "VERSION", "SHARD")
	out := []string{st.TableHeader.Render(common.FitLine(head, m.width))}
	if len(m.rows) == 0 {
		msg := "no key with a TTL found"
		switch {
		case m.scannedAt.IsZero() && m.scanning:
			msg = "scanning the keyspace…"
		case m.scannedAt.IsZero():
			msg = "no scan has succeeded yet: the keys are unknown (the title says why; " + m.keys.Rescan.Help().Key + " rescans)"
		}
		return append(out, st.Muted.Render(msg))
	}
	end := min(len(m.rows), m.offset+m.tableRows())
	for i := m.offset; i < end; i++ {
		e := m.rows[i]
		mark := []rune("  ")
		if i == m.cursor {
			mark[0] = '▸' // the cursor without colour too
		}
		if m.selected[e.key] {
			mark[1] = '✓'
		}
		// The key as the Keys pane shows it (escaped, never raw bytes: a
		// key holding "\x1b[2J" cleared the screen), cut and padded by
		// the columns it takes, not its runes (CJK keys pushed the row).
		k := common.DisplayKey([]byte(e.key))
		if ansi.StringWidth(k) > keyW {
			k = ansi.Truncate(k, keyW-1, "") + "…"
		}
		k += strings.Repeat(" ", max(0, keyW-ansi.StringWidth(k)))
		line := fmt.Sprintf("%s%-10s %s %9d %10s %6d", string(mark), countdown(e.expires.Sub(m.now)), k, e.size, fmtVersion(e.version), e.shard)
		line = common.FitLine(line, m.width)
		if i == m.cursor {
			line = st.Selected.Render(line)
		} else if e.expires.Sub(m.now) < time.Minute {
			line = st.Warn.Render(line)
		}
		out = append(out, line)
	}
	return out
}
