// Package ttl is the console's TTL inspector: the keys that expire soonest
// across the cluster (from bounded scans), counting down live and leaving
// as they expire, a histogram of expiries over the next minutes or hours,
// and bulk extend or clear of a selection, each key a compare-and-swap
// rewrite.
package ttl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// Minimum size the pane can draw in.
const (
	MinWidth  = 40
	MinHeight = 8
)

// Model is the TTL inspector pane.
type Model struct {
	common common.Common
	keys   *KeyMap
	width  int
	height int

	all       []entry // keys with a TTL from the last scan, natural order
	rows      []entry // all minus expired ones, in the table's order
	selected  map[string]bool
	cursor    int
	offset    int
	now       time.Time
	scanned   int
	truncated bool
	scanning  bool
	scanErr   error
	// bulk names the extend or clear under way ("" when none): shown in
	// the title until its answer, and a second one waits for it.
	bulk string
	// scannedAt is when the scan shown was made, zero until one succeeded:
	// before that the pane knows nothing about the keys (not "0 keys").
	scannedAt time.Time
	reqID     int
	// retry runs a rescan that got no answer again once a node answers
	// its status poll (common.RetryGate); retried says it did since the
	// last scan that succeeded: once per outage, then the background
	// rescans take over (a scan reads up to maxScan keys, and a cluster
	// that answers polls but not scans, a group without a leader, is not
	// to be scanned every 2 s).
	retry   common.RetryGate
	retried bool
	ticks   int
	hours   bool // histogram over the next 24 hours instead of 60 minutes
	sort    common.SortState
	// clock is the time the scan stamps and extensions count from
	// (time.Now; tests set a fixed one).
	clock *clock
}

// clock wraps the time source (behind a pointer so the model stays
// comparable in the pure-view check).
type clock struct{ now func() time.Time }

// New returns the TTL inspector.
func New(c common.Common) *Model {
	return &Model{common: c, keys: DefaultKeyMap(), selected: map[string]bool{}, clock: &clock{now: time.Now}}
}

// SetStyles implements common.Styler.
func (m *Model) SetStyles(st *themes.Styles) { m.common.Styles = st }

// Keys returns the pane's key map, for rebinding.
func (m *Model) Keys() *KeyMap { return m.keys }

// MinSize implements common.MinSizer: the smallest area the pane draws in.
func (m *Model) MinSize() (width, height int) { return MinWidth, MinHeight }

// Title implements common.Pane.
func (m *Model) Title() string { return "TTL" }

// SetSize implements common.Pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	return append([]key.Binding{m.keys.Select}, m.common.WriteKeys(m.keys.Extend, m.keys.Clear)...)
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{append([]key.Binding{m.keys.Select, m.keys.SelectAll},
		append(m.common.WriteKeys(m.keys.Extend, m.keys.Clear), m.keys.Rescan, m.keys.Scale)...)}
}

// Init implements common.Pane: the first scan.
func (m *Model) Init() tea.Cmd { return m.rescan() }

func (m *Model) rescan() tea.Cmd {
	cmd := scanCmd(m.common, m.reqID+1, maxScan, m.clock.now)
	if cmd == nil {
		return nil
	}
	m.reqID++
	m.scanning = true
	return cmd
}

// Update implements common.Pane.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case scanMsg:
		if msg.reqID != m.reqID {
			return nil
		}
		m.scanning = false
		m.scanErr = msg.err
		if msg.err == nil {
			m.retried = false
		}
		if msg.err != nil && len(msg.entries) == 0 {
			return nil // keep what was shown; the error says why it is old
		}
		m.all, m.scanned, m.truncated = msg.entries, msg.scanned, msg.truncated
		m.scannedAt = msg.at
		if m.now.IsZero() || msg.at.After(m.now) {
			m.now = msg.at
		}
		m.refresh()
	case common.TickMsg:
		m.now = msg.At
		m.refresh()
		m.ticks++
		if m.ticks%rescanEvery == 0 && !m.scanning {
			return m.rescan()
		}
	case common.NodeStatusMsg:
		// The cluster answers again after a rescan got no answer: found
		// in tmux with every node killed and started again, the title
		// said "rescan failed: connection ... refused" under a header
		// saying connected until the next background rescan (up to
		// rescanEvery ticks).
		if m.scanErr != nil && !m.scanning && !m.retried && m.retry.Due(msg, m.scanErr, m.now) {
			m.retried = true
			return m.rescan()
		}
	case common.DataChangedMsg:
		return m.rescan()
	case common.TopologyMsg:
		if msg.Event != nil && msg.Event.Replaced {
			// Another cluster answers (restarted without its data): the
			// keys listed and selected are of one that is gone.
			m.selected = map[string]bool{}
			return m.rescan()
		}
	case bulkMsg:
		m.bulk = ""
		if len(msg.again) > 0 {
			m.selected = map[string]bool{}
			for _, k := range msg.again {
				m.selected[k] = true
			}
		}
		return tea.Batch(common.MsgCmd(msg.result()), m.rescan())
	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		m.onMouse(msg)
	}
	return nil
}

// refresh drops expired keys and applies the sort, keeping the cursor on
// the same key when it is still there.
func (m *Model) refresh() {
	cur := ""
	if m.cursor < len(m.rows) {
		cur = m.rows[m.cursor].key
	}
	m.rows = m.rows[:0]
	live := map[string]bool{}
	for _, e := range m.all {
		if e.expires.After(m.now) {
			m.rows = append(m.rows, e)
			live[e.key] = true
		}
	}
	for k := range m.selected {
		if !live[k] {
			delete(m.selected, k) // it expired: nothing left to extend
		}
	}
	m.applySort()
	for i, e := range m.rows {
		if e.key == cur {
			m.cursor = i
		}
	}
	m.clamp()
}

func (m *Model) applySort() {
	less := map[string]func(a, b entry) int{
		"ttl":     func(a, b entry) int { return a.expires.Compare(b.expires) },
		"key":     func(a, b entry) int { return strings.Compare(a.key, b.key) },
		"size":    func(a, b entry) int { return cmp64(a.size, b.size) },
		"version": func(a, b entry) int { return cmpVersion(a.version, b.version) },
	}[m.sort.Column]
	if less == nil {
		return // natural order: soonest first
	}
	sort.SliceStable(m.rows, func(i, j int) bool {
		c := less(m.rows[i], m.rows[j])
		if m.sort.Desc {
			c = -c
		}
		return c < 0
	})
}

func cmpVersion(a, b client.Version) int {
	if c := cmp64(a.Term, b.Term); c != 0 {
		return c
	}
	return cmp64(a.Index, b.Index)
}

func cmp64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tableRows is how many table rows fit under the histogram.
func (m *Model) tableRows() int { return max(1, m.height-histHeight(m.height)-3-len(m.reasonLines())) }

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	page := m.tableRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+page {
		m.offset = m.cursor - page + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-page))
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if pos, ok := m.common.Keys.Move(msg, m.cursor, m.tableRows(), len(m.rows)); ok {
		m.cursor = pos
		m.clamp()
		return nil
	}
	switch {
	case key.Matches(msg, k.Select):
		if m.cursor < len(m.rows) {
			kk := m.rows[m.cursor].key
			if m.selected[kk] {
				delete(m.selected, kk)
			} else {
				m.selected[kk] = true
			}
			m.cursor++
			m.clamp()
		}
	case key.Matches(msg, k.SelectAll):
		if len(m.selected) > 0 {
			m.selected = map[string]bool{}
		} else {
			for _, e := range m.rows {
				m.selected[e.key] = true
			}
		}
	case key.Matches(msg, k.Rescan):
		return m.rescan()
	case key.Matches(msg, k.Scale):
		m.hours = !m.hours
	case key.Matches(msg, k.Extend):
		return m.runAction(m.extendAction())
	case key.Matches(msg, k.Clear):
		return m.runAction(m.clearAction())
	}
	return nil
}

func (m *Model) runAction(a common.Action) tea.Cmd {
	if a.Disabled != nil {
		return common.Refuse(a.Title, a.Disabled)
	}
	return common.MsgCmd(common.RunActionMsg{Action: a})
}

// targets are the selected keys, or the key under the cursor without a
// selection, in the table's order.
func (m *Model) targets() []string {
	var out []string
	for _, e := range m.rows {
		if m.selected[e.key] {
			out = append(out, e.key)
		}
	}
	if len(out) == 0 && m.cursor < len(m.rows) {
		out = append(out, m.rows[m.cursor].key)
	}
	return out
}

func describe(keys []string) string {
	if len(keys) == 1 {
		return "key " + common.TermSafe(strconv.Quote(keys[0]))
	}
	return fmt.Sprintf("%d keys", len(keys))
}

// Actions implements common.Pane.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		m.extendAction(),
		m.clearAction(),
		{Title: "Rescan TTLs", Help: "read the keyspace again (bounded scan)", Keys: m.keys.Rescan.Help().Key, Run: func(string) tea.Cmd { return m.rescan() }},
	}
}

func (m *Model) extendAction() common.Action {
	keys, now := m.targets(), m.clock.now
	return m.common.WriteAction(common.Action{
		Title: "Extend TTL of selection", Help: "add a duration to each selected key's TTL (compare-and-swap per key)",
		Keys: m.keys.Extend.Help().Key, Prompt: "extend by (e.g. 30s, 10m, 1h)", Default: "10m",
		Run: func(arg string) tea.Cmd {
			d, err := time.ParseDuration(strings.TrimSpace(arg))
			if err != nil || d <= 0 {
				return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("extend TTL: %q is not a positive duration; type one like 30s, 10m or 1h", arg)})
			}
			if len(keys) == 0 {
				return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("extend TTL: no key with a TTL listed; wait for the scan or press r")})
			}
			if err := m.bulkUnderWay("extend TTL"); err != nil {
				return common.MsgCmd(common.ErrorMsg{Err: err})
			}
			return m.startBulk(fmt.Sprintf("extend TTL of %s by %s", describe(keys), d), keys, func(exp time.Time) time.Duration {
				if exp.IsZero() {
					return d // its TTL was cleared meanwhile: give it d
				}
				return exp.Sub(now()) + d
			})
		},
	})
}

func (m *Model) clearAction() common.Action {
	keys := m.targets()
	return m.common.WriteAction(common.Action{
		Title: "Clear TTL of selection", Help: "make each selected key permanent (compare-and-swap per key)",
		Keys: m.keys.Clear.Help().Key, Confirm: fmt.Sprintf("clear the TTL of %s (they will never expire)?", describe(keys)),
		Run: func(string) tea.Cmd {
			if len(keys) == 0 {
				return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("clear TTL: no key with a TTL listed; wait for the scan or press r")})
			}
			if err := m.bulkUnderWay("clear TTL"); err != nil {
				return common.MsgCmd(common.ErrorMsg{Err: err})
			}
			return m.startBulk("clear TTL of "+describe(keys), keys, func(time.Time) time.Duration { return 0 })
		},
	})
}

// CopyTarget implements common.Copyable: the key under the cursor.
func (m *Model) CopyTarget() (string, string, bool) {
	if m.cursor >= len(m.rows) {
		return "", "", false
	}
	k := m.rows[m.cursor].key
	return "key " + common.TermSafe(strconv.Quote(k)), k, true
}

// CopyTable implements common.TableCopyable.
func (m *Model) CopyTable() (string, string, bool) {
	if len(m.rows) == 0 {
		return "", "", false
	}
	var b strings.Builder
	b.WriteString("key\texpires_in\texpires_at\tsize\tversion\tshard\n")
	for _, e := range m.rows {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\t%s\t%d\n", e.key, countdown(e.expires.Sub(m.now)), e.expires.UTC().Format(time.RFC3339), e.size, fmtVersion(e.version), e.shard)
	}
	return fmt.Sprintf("TTL table (%d rows)", len(m.rows)), b.String(), true
}

// SortColumns implements common.Sortable.
func (m *Model) SortColumns() []string { return []string{"ttl", "key", "size", "version"} }

// Sort implements common.Sortable.
func (m *Model) Sort() common.SortState { return m.sort }

// SetSort implements common.Sortable.
func (m *Model) SetSort(s common.SortState) {
	m.sort = s
	m.refresh()
}

// Back implements common.BackHandler: esc first clears a selection.
func (m *Model) Back() (bool, tea.Cmd) {
	if len(m.selected) == 0 {
		return false, nil
	}
	m.selected = map[string]bool{}
	return true, nil
}

// tableTop is the pane line of the first table row (title, a failed
// scan's reason, histogram, axis, header above it).
func (m *Model) tableTop() int { return histHeight(m.height) + 3 + len(m.reasonLines()) }

func (m *Model) onMouse(msg tea.MouseMsg) {
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		m.cursor--
	case msg.Button == tea.MouseButtonWheelDown:
		m.cursor++
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		if i := m.offset + msg.Y - m.tableTop(); msg.Y >= m.tableTop() && i < len(m.rows) {
			m.cursor = i
		}
	}
	m.clamp()
}

// bulkUnderWay refuses a second extend or clear while one runs: both would
// read the same expiries, and a key one of them rewrote would be another
// writer's to the other (a conflict, or an extension counted twice).
func (m *Model) bulkUnderWay(what string) error {
	if m.bulk == "" {
		return nil
	}
	return fmt.Errorf("%s: %s is still under way; wait for its result", what, m.bulk)
}

// startBulk runs a bulk rewrite and names it in the title until it answers.
func (m *Model) startBulk(op string, keys []string, newTTL func(expires time.Time) time.Duration) tea.Cmd {
	cmd := bulkCmd(m.common, op, keys, newTTL)
	if cmd != nil {
		m.bulk = op
	}
	return cmd
}
