package keys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// A three-way merge re-applies the user's edit (yours: base → yours) on
// top of a value someone else wrote meanwhile (theirs: base → theirs).
// JSON objects merge field by field (recursively); anything else line by
// line. Where both changed the same place the merge keeps a conflict for
// the user to choose.

// Choices for a conflict.
const (
	chooseNone   = iota // not chosen yet
	chooseTheirs        // keep their change
	chooseYours         // keep your change
	chooseBoth          // theirs then yours (lines only)
)

// mergeConflict is a place both sides changed differently.
type mergeConflict struct {
	where               string // "lines 3-4" or a JSON path like .user.name
	base, theirs, yours string // as shown ("—" for absent)
	choice              int
	// lines: the chunks; JSON: the values (absent: nil with has* false).
	baseLines, theirLines, yourLines []string
	path                             []string
	theirVal, yourVal                any
	theirHas, yourHas                bool
}

// mergeResult is a merge's outcome: the conflicts to choose and how to
// build the value once chosen.
type mergeResult struct {
	kind      string // "JSON fields" or "lines"
	conflicts []*mergeConflict
	// segments (lines): merged text pieces; a conflict is a nil slice at
	// the index of its conflict in conflicts (conflictAt).
	segments   [][]string
	conflictAt []int
	// merged (JSON): the merged object, conflicts holding theirs until
	// chosen.
	merged map[string]any
}

// unresolved counts the conflicts not chosen yet.
func (r *mergeResult) unresolved() int {
	n := 0
	for _, c := range r.conflicts {
		if c.choice == chooseNone {
			n++
		}
	}
	return n
}

// value builds the merged value with the choices made (an unchosen
// conflict keeps theirs).
func (r *mergeResult) value() ([]byte, error) {
	if r.merged != nil {
		for _, c := range r.conflicts {
			if c.choice == chooseYours {
				setPath(r.merged, c.path, c.yourVal, c.yourHas)
			} else {
				setPath(r.merged, c.path, c.theirVal, c.theirHas)
			}
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r.merged); err != nil {
			return nil, fmt.Errorf("merged JSON: %w", err)
		}
		return bytes.TrimRight(b.Bytes(), "\n"), nil
	}
	var out []string
	for i, seg := range r.segments {
		if ci := r.conflictAt[i]; ci >= 0 {
			c := r.conflicts[ci]
			switch c.choice {
			case chooseYours:
				seg = c.yourLines
			case chooseBoth:
				seg = append(append([]string(nil), c.theirLines...), c.yourLines...)
			default:
				seg = c.theirLines
			}
		}
		out = append(out, seg...)
	}
	return []byte(strings.Join(out, "\n")), nil
}

// merge3 merges base → theirs and base → yours.
func merge3(base, theirs, yours []byte) *mergeResult {
	b, t, y := decodeObject(base), decodeObject(theirs), decodeObject(yours)
	if b != nil && t != nil && y != nil {
		r := &mergeResult{kind: "JSON fields"}
		r.merged = mergeObjects(nil, b, t, y, &r.conflicts)
		return r
	}
	return mergeLines(splitLines(base), splitLines(theirs), splitLines(yours))
}

// decodeObject decodes a JSON object (numbers kept as written), nil when
// v is not one.
func decodeObject(v []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var o map[string]any
	if d.Decode(&o) != nil || d.More() {
		return nil
	}
	return o
}

func splitLines(v []byte) []string {
	if len(v) == 0 {
		return nil
	}
	return strings.Split(string(v), "\n")
}

// mergeObjects merges the fields of three objects; conflicts are recorded
// with their path and the merged object holds theirs there.
func mergeObjects(path []string, b, t, y map[string]any, conflicts *[]*mergeConflict) map[string]any {
	keys := map[string]bool{}
	for _, m := range []map[string]any{b, t, y} {
		for k := range m {
			keys[k] = true
		}
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	out := map[string]any{}
	for _, k := range names {
		bv, bok := b[k]
		tv, tok := t[k]
		yv, yok := y[k]
		p := append(append([]string(nil), path...), k)
		same := func(v1 any, ok1 bool, v2 any, ok2 bool) bool { return ok1 == ok2 && jsonEqual(v1, v2) }
		var v any
		var ok bool
		switch {
		case same(tv, tok, bv, bok):
			v, ok = yv, yok
		case same(yv, yok, bv, bok), same(tv, tok, yv, yok):
			v, ok = tv, tok
		default:
			bo, b1 := bv.(map[string]any)
			to, t1 := tv.(map[string]any)
			yo, y1 := yv.(map[string]any)
			if b1 && t1 && y1 {
				v, ok = mergeObjects(p, bo, to, yo, conflicts), true
				break
			}
			*conflicts = append(*conflicts, &mergeConflict{where: jsonPath(p), base: jsonText(bv, bok), theirs: jsonText(tv, tok), yours: jsonText(yv, yok),
				path: p, theirVal: tv, yourVal: yv, theirHas: tok, yourHas: yok})
			v, ok = tv, tok
		}
		if ok {
			out[k] = v
		}
	}
	return out
}

// setPath sets (or, has false, removes) the field at path.
func setPath(obj map[string]any, path []string, v any, has bool) {
	for _, k := range path[:len(path)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			return
		}
		obj = next
	}
	if has {
		obj[path[len(path)-1]] = v
	} else {
		delete(obj, path[len(path)-1])
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// jsonText renders a value compactly, "—" when absent.
func jsonText(v any, ok bool) string {
	if !ok {
		return "—"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimRight(b.String(), "\n")
}

// jsonPath renders a field path: .user.name, .["a b"].
func jsonPath(p []string) string {
	var b strings.Builder
	for _, k := range p {
		if k != "" && strings.IndexFunc(k, func(r rune) bool {
			return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) < 0 {
			b.WriteString("." + k)
			continue
		}
		b.WriteString(".[" + strconv.Quote(k) + "]")
	}
	return b.String()
}

// lcsMatch pairs equal lines of a and b along a longest common
// subsequence: match[i] is the line of b equal to a[i], or -1.
func lcsMatch(a, b []string) []int {
	n, m := len(a), len(b)
	// Lengths from the ends, a row per line of a (values are bounded by
	// the editor's 1,024 lines).
	l := make([][]int32, n+1)
	for i := range l {
		l[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				l[i][j] = l[i+1][j+1] + 1
			case l[i+1][j] >= l[i][j+1]:
				l[i][j] = l[i+1][j]
			default:
				l[i][j] = l[i][j+1]
			}
		}
	}
	match := make([]int, n)
	for i := range match {
		match[i] = -1
	}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			match[i] = j
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	return match
}

// mergeLines is a diff3-style merge: lines unchanged on both sides anchor
// the chunks between them; a chunk only one side changed takes that
// change, one both changed alike takes it once, else it is a conflict.
func mergeLines(base, theirs, yours []string) *mergeResult {
	r := &mergeResult{kind: "lines"}
	mt, my := lcsMatch(base, theirs), lcsMatch(base, yours)
	pb, pt, py := -1, -1, -1
	emit := func(bi, ti, yi int) {
		b, t, y := base[pb+1:bi], theirs[pt+1:ti], yours[py+1:yi]
		switch {
		case equalLines(t, b):
			r.add(y)
		case equalLines(y, b), equalLines(t, y):
			r.add(t)
		default:
			where := fmt.Sprintf("line %d", pb+2)
			if len(b) > 1 {
				where = fmt.Sprintf("lines %d-%d", pb+2, bi)
			} else if len(b) == 0 {
				where = fmt.Sprintf("after line %d", pb+1)
			}
			r.conflicts = append(r.conflicts, &mergeConflict{where: where, base: strings.Join(b, "\n"), theirs: strings.Join(t, "\n"),
				yours: strings.Join(y, "\n"), baseLines: b, theirLines: t, yourLines: y})
			r.segments = append(r.segments, nil)
			r.conflictAt = append(r.conflictAt, len(r.conflicts)-1)
		}
	}
	for i := range base {
		if mt[i] < 0 || my[i] < 0 {
			continue
		}
		emit(i, mt[i], my[i])
		r.add([]string{base[i]})
		pb, pt, py = i, mt[i], my[i]
	}
	emit(len(base), len(theirs), len(yours))
	return r
}

func (r *mergeResult) add(lines []string) {
	if len(lines) == 0 {
		return
	}
	r.segments = append(r.segments, lines)
	r.conflictAt = append(r.conflictAt, -1)
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
