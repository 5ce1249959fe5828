package stats

import (
	"strings"
	"time"
)

// wideAt is the width from which each row gets a p99 sparkline column.
const wideAt = 160

// sparkWidth returns the sparkline column's width, 0 below wideAt.
func (m *Model) sparkWidth() int {
	if m.width < wideAt {
		return 0
	}
	return min(History, m.width-tableWidth-4)
}

// tableWidth is the width of a row without the sparkline: the cursor mark
// and the columns with their separators.
var tableWidth = func() int {
	w := 2
	for _, c := range cols {
		w += c + 1
	}
	return w
}()

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// spark draws op's p99 over its last w seconds, scaled to its own maximum;
// a second without requests is a space.
func (m *Model) spark(op string, w int) string {
	ser := m.rec.Series(op)
	if ser == nil || w <= 0 {
		return ""
	}
	pts := ser.PerSecond(w) // one column per wall-clock second
	var top time.Duration
	for _, p := range pts {
		if p.Requests > 0 && p.P99 > top {
			top = p.P99
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", w-len(pts)))
	for _, p := range pts {
		switch {
		case p.Requests == 0 || top == 0:
			b.WriteByte(' ')
		default:
			i := int(int64(len(sparkBlocks)-1) * int64(p.P99) / int64(top))
			b.WriteRune(sparkBlocks[i])
		}
	}
	return b.String()
}
