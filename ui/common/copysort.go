package common

import "fmt"

// Copyable is implemented by panes that can copy what is selected (`y`):
// a key, a value, a vector id, a node address, a shard trace. The root
// sends the text to the terminal's clipboard (OSC 52) and reports what was
// copied and how many bytes.
type Copyable interface {
	// CopyTarget returns a label for the message (e.g. `key "user:42"`)
	// and the text to copy; ok is false when nothing is selected.
	CopyTarget() (what, text string, ok bool)
}

// TableCopyable is implemented by panes whose table can be copied whole as
// tab-separated values (`Y`), header first.
type TableCopyable interface {
	CopyTable() (what, tsv string, ok bool)
}

// SortState is a table's sort: a column name and its direction. The zero
// value is the pane's natural order.
type SortState struct {
	Column string
	Desc   bool
}

// Label is the sort as a table header shows it, e.g. "size ↓"; "" for the
// natural order.
func (s SortState) Label() string {
	if s.Column == "" {
		return ""
	}
	arrow := "↑"
	if s.Desc {
		arrow = "↓"
	}
	return fmt.Sprintf("%s %s", s.Column, arrow)
}

// Sortable is implemented by panes with a table that sorts by column. The
// sort is kept across refreshes (stable: ties keep the natural order).
type Sortable interface {
	// SortColumns names the columns the pane sorts by, in the order the
	// sort key cycles through them.
	SortColumns() []string
	// Sort returns the current sort.
	Sort() SortState
	// SetSort sorts by s (a column from SortColumns, or the zero value).
	SetSort(s SortState)
}

// NextSort returns the sort after cur when the user presses the sort key:
// the next column ascending, then the natural order after the last column.
// Reversing the direction is a separate key (ToggleDesc).
func NextSort(cur SortState, columns []string) SortState {
	if len(columns) == 0 {
		return SortState{}
	}
	if cur.Column == "" {
		return SortState{Column: columns[0]}
	}
	for i, c := range columns {
		if c == cur.Column {
			if i+1 < len(columns) {
				return SortState{Column: columns[i+1], Desc: cur.Desc}
			}
			return SortState{}
		}
	}
	return SortState{Column: columns[0]}
}

// ToggleDesc reverses the direction of a sort by a column.
func ToggleDesc(cur SortState) SortState {
	if cur.Column == "" {
		return cur
	}
	cur.Desc = !cur.Desc
	return cur
}
