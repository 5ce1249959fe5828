package events

import (
	"fmt"
	"time"

	"github.com/norikv/norikv-console/client"
)

// roleNoAnswer is the role the root gives a node the cluster calls alive
// whose status poll has been out for half a second (ui.RoleNotAnswering):
// hung, or only slow to answer.
const roleNoAnswer = "no answer"

// slowFoldFor is how long after a node's first "no answer" its next ones
// are counted in the same timeline entry: a node slow to answer on a
// saturated machine (answers of 0.6-2 s) goes "no answer" and back about
// every second, and an entry for each buried the elections, leader moves
// and nodes down the timeline is read for. So a node slow to answer gets
// at most one entry a minute, updated as it goes.
const slowFoldFor = time.Minute

// slowRun is a node's "no answer" spells counted in one timeline entry.
type slowRun struct {
	seq      uint64        // the entry's place in the ring
	first    time.Time     // when the first spell began
	last     time.Time     // when the latest spell began, or ended
	times    int           // spells
	longest  time.Duration // the longest answer that ended one (its poll's round trip)
	quiet    bool          // the node is "no answer" now
	awaitRTT bool          // a spell just ended: the answer's round trip follows
	endedAs  string        // the role the last spell ended in when not an answer ("unreachable")
	ended    bool          // a real change of the node ended the run: its next spell starts an entry
}

// text is the run's entry: the first spell as it starts, then the count.
func (r *slowRun) text(id string) string {
	if r.times == 1 && (r.quiet || r.endedAs != "") {
		s := id + " alive -> no answer: its status poll is overdue (slow or hung)"
		if r.endedAs != "" {
			s += "; then " + r.endedAs
		}
		return s
	}
	s := id + " slow to answer: "
	if r.times == 1 {
		s += "once"
		if r.longest > 0 {
			s += ", answered in " + shortDur(r.longest)
		}
	} else {
		// The entry is at its latest spell (bump): say when the first was.
		s += fmt.Sprintf("%d times in %s (first %s)", r.times, shortDur(r.last.Sub(r.first)), r.first.Format("15:04:05"))
		if r.longest > 0 {
			s += ", longest answer " + shortDur(r.longest)
		}
	}
	switch {
	case r.quiet:
		s += "; no answer now"
	case r.endedAs != "":
		s += "; then no answer until " + r.endedAs
	}
	return s
}

// shortDur rounds d for a note: "1.4s", "30s".
func shortDur(d time.Duration) string {
	if d >= 10*time.Second {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// isSpell reports whether a node's role change from old to cur is the
// start of a "no answer" spell or (while one is counted) its end by an
// answer: those go to the node's slow run, not into the view's entry.
func (m *Model) isSpell(id, old, cur string) bool {
	if old == "alive" && cur == roleNoAnswer {
		return true
	}
	r := m.slow[id]
	return old == roleNoAnswer && cur == "alive" && r != nil && r.quiet && !r.ended
}

// spells is the set of nodes whose change from prev to cur is a spell's
// start or end (isSpell).
func (m *Model) spells(prev, cur *client.ClusterView) map[string]bool {
	out := map[string]bool{}
	if prev == nil {
		return out
	}
	for _, n := range cur.Nodes {
		if old, ok := prev.Node(n.ID); ok && old.Role != n.Role && m.isSpell(n.ID, old.Role, n.Role) {
			out[n.ID] = true
		}
	}
	return out
}

// foldSpells counts the spells of the change from prev to cur at at into
// the nodes' slow runs, and ends the runs of nodes that changed otherwise
// (unreachable, suspect, dead, removed): their next spell starts a new
// entry after the real change.
func (m *Model) foldSpells(at time.Time, prev, cur *client.ClusterView, spells map[string]bool, fresh bool) {
	if fresh { // a first view, another cluster: nothing to fold into
		m.slow = map[string]*slowRun{}
		return
	}
	for id := range m.slow {
		if _, ok := cur.Node(id); !ok {
			delete(m.slow, id)
		}
	}
	if prev == nil {
		return
	}
	for _, n := range cur.Nodes {
		old, ok := prev.Node(n.ID)
		if !ok {
			continue
		}
		r := m.slow[n.ID]
		switch {
		case spells[n.ID] && n.Role == roleNoAnswer:
			if r != nil && !r.ended && at.Sub(r.first) < slowFoldFor && m.entries.holds(r.seq) {
				r.times++
				r.quiet, r.last, r.awaitRTT = true, at, false
				m.bump(n.ID, r, at, cur.Epoch)
				continue
			}
			r = &slowRun{first: at, last: at, times: 1, quiet: true}
			m.slow[n.ID] = r
			r.seq = m.push(noteEntry(at, cur.Epoch, r.text(n.ID)))
		case spells[n.ID]: // answered
			r.quiet, r.last, r.awaitRTT = false, at, true
			m.rewrite(n.ID, r)
		case r != nil && !r.ended && (old.Role != n.Role || old.Unreachable != n.Unreachable):
			if r.quiet {
				r.quiet, r.endedAs = false, n.Role
				r.last = at
			}
			r.ended = true
			m.rewrite(n.ID, r)
		}
	}
}

// answered takes the round trip of the answer that ended node id's spell.
func (m *Model) answered(id string, rtt time.Duration) {
	r := m.slow[id]
	if r == nil || !r.awaitRTT {
		return
	}
	r.awaitRTT = false
	if rtt > r.longest {
		r.longest = rtt
		m.rewrite(id, r)
	}
}

// rewrite updates run r's entry, if the timeline still holds it.
func (m *Model) rewrite(id string, r *slowRun) {
	if e, ok := m.entries.at(r.seq); ok {
		e.Note = r.text(id)
		m.refilter()
	}
}

// bump updates run r's entry for its spell starting at at and moves it to
// the top of the timeline, at that time and epoch: a node still slow to
// answer is news now, not buried under the events since its first spell
// (the entry says when that was). The user's place stays put: an entry
// selected off the top (cursor > 0) stays selected and the first entry
// shown stays first; the selected entry itself is updated where it is,
// not moved (it moves at its next spell once the cursor left it). With
// the cursor on the newest entry, the cursor follows the newest, as for a
// new entry (push).
func (m *Model) bump(id string, r *slowRun, at time.Time, epoch uint64) {
	hold := m.cursor > 0 && m.cursor < len(m.shownSeq)
	var sel, top uint64
	if hold {
		sel, top = m.shownSeq[m.cursor], m.shownSeq[m.top]
		if sel == r.seq {
			m.rewrite(id, r)
			return
		}
		if top == r.seq { // the first shown moves away: the next one is first
			top = m.shownSeq[m.top+1]
		}
	}
	old := r.seq
	seq, ok := m.entries.moveToNewest(old)
	if !ok {
		return
	}
	renumber := func(s uint64) uint64 {
		switch {
		case s == old:
			return seq
		case s > old && s <= seq:
			return s - 1
		}
		return s
	}
	for _, o := range m.slow {
		o.seq = renumber(o.seq)
	}
	r.seq = seq
	if e, ok := m.entries.at(seq); ok {
		e.At, e.PrevEpoch, e.Epoch, e.Note = at, epoch, epoch, r.text(id)
	}
	m.refilter()
	if hold {
		m.cursor, m.top = m.indexOf(renumber(sel), m.cursor), m.indexOf(renumber(top), m.top)
	}
}

// indexOf is the index of entry number seq among the entries shown, or
// def when it is not shown.
func (m *Model) indexOf(seq uint64, def int) int {
	for i, s := range m.shownSeq {
		if s == seq {
			return i
		}
	}
	return def
}
