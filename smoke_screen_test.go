package main

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// smokeScreen is a small terminal emulator for the smoke run: a grid of
// cells that the console's output is played into, so that a check sees the
// screen as a person would at that moment. Reading the raw stream instead is
// fragile: Bubble Tea rewrites only the lines that changed and moves over the
// others, so the newest lines of the stream are not the newest screen.
//
// It knows what Bubble Tea's renderer sends: text, CR, LF, BS, cursor
// position and movement (CUP, CUU/CUD/CUF/CUB, CHA, VPA), erase in line and
// in display, and the alternate-screen switch. Styles are dropped.
type smokeScreen struct {
	w, h     int
	cells    [][]rune
	row, col int
	p        *ansi.Parser
}

func newSmokeScreen(w, h int) *smokeScreen {
	s := &smokeScreen{w: w, h: h, p: ansi.NewParser()}
	s.clear()
	s.p.SetHandler(ansi.Handler{
		Print:     s.print,
		Execute:   s.execute,
		HandleCsi: s.csi,
	})
	return s
}

// write plays output into the screen; a sequence split across writes is
// carried over by the parser.
func (s *smokeScreen) write(b []byte) { s.p.Parse(b) }

func (s *smokeScreen) clear() {
	s.cells = make([][]rune, s.h)
	for i := range s.cells {
		s.cells[i] = blankRow(s.w)
	}
}

func blankRow(w int) []rune { return []rune(strings.Repeat(" ", w)) }

func (s *smokeScreen) print(r rune) {
	width := ansi.StringWidth(string(r))
	if width == 0 {
		return
	}
	if s.col+width > s.w { // auto-wrap
		s.col = 0
		s.lineFeed()
	}
	s.cells[s.row][s.col] = r
	for i := 1; i < width; i++ {
		s.cells[s.row][s.col+i] = 0 // the right half of a wide rune
	}
	s.col += width
}

func (s *smokeScreen) lineFeed() {
	if s.row < s.h-1 {
		s.row++
		return
	}
	copy(s.cells, s.cells[1:])
	s.cells[s.h-1] = blankRow(s.w)
}

func (s *smokeScreen) execute(b byte) {
	switch b {
	case '\r':
		s.col = 0
	case '\n', '\v', '\f':
		s.lineFeed()
	case '\b':
		s.col = max(0, s.col-1)
	}
}

func (s *smokeScreen) csi(cmd ansi.Cmd, params ansi.Params) {
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		if cmd.Prefix() == '?' && (cmd.Final() == 'h' || cmd.Final() == 'l') {
			if n, _, _ := params.Param(0, 0); n == 1049 || n == 47 || n == 1047 {
				s.clear() // alternate screen on or off: a blank screen either way here
				s.row, s.col = 0, 0
			}
		}
		return
	}
	n, _, _ := params.Param(0, 1)
	n = max(n, 1)
	switch cmd.Final() {
	case 'H', 'f':
		row, _, _ := params.Param(0, 1)
		col, _, _ := params.Param(1, 1)
		s.row, s.col = clampCell(row-1, s.h), clampCell(col-1, s.w)
	case 'A':
		s.row = clampCell(s.row-n, s.h)
	case 'B':
		s.row = clampCell(s.row+n, s.h)
	case 'C':
		s.col = clampCell(s.col+n, s.w)
	case 'D':
		s.col = clampCell(s.col-n, s.w)
	case 'G':
		s.col = clampCell(n-1, s.w)
	case 'd':
		s.row = clampCell(n-1, s.h)
	case 'K':
		mode, _, _ := params.Param(0, 0)
		s.eraseLine(s.row, mode)
	case 'J':
		mode, _, _ := params.Param(0, 0)
		s.eraseDisplay(mode)
	}
}

func clampCell(v, n int) int { return min(max(v, 0), n-1) }

func (s *smokeScreen) eraseLine(row, mode int) {
	from, to := s.col, s.w // 0: cursor to end
	switch mode {
	case 1:
		from, to = 0, s.col+1
	case 2:
		from, to = 0, s.w
	}
	for i := from; i < min(to, s.w); i++ {
		s.cells[row][i] = ' '
	}
}

func (s *smokeScreen) eraseDisplay(mode int) {
	switch mode {
	case 0:
		s.eraseLine(s.row, 0)
		for r := s.row + 1; r < s.h; r++ {
			s.cells[r] = blankRow(s.w)
		}
	case 1:
		s.eraseLine(s.row, 1)
		for r := 0; r < s.row; r++ {
			s.cells[r] = blankRow(s.w)
		}
	default:
		s.clear()
	}
}

// String is the screen as text, one line per row, trailing blanks trimmed.
func (s *smokeScreen) String() string {
	var b strings.Builder
	for i, row := range s.cells {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := strings.Map(func(r rune) rune {
			if r == 0 {
				return -1
			}
			return r
		}, string(row))
		b.WriteString(strings.TrimRight(line, " "))
	}
	return b.String()
}

// TestSmokeScreenPlaysBubbleTeaFrames: a frame that rewrites only its changed
// lines leaves the unchanged ones on screen, split sequences and runes are
// carried over between writes, and erase and cursor moves land where a
// terminal puts them.
func TestSmokeScreenPlaysBubbleTeaFrames(t *testing.T) {
	s := newSmokeScreen(20, 4)
	// First frame on the alternate screen, then one that changes row 0 only
	// and moves over rows 1-3, as Bubble Tea's renderer does.
	frames := "\x1b[?1049h\x1b[H\rheader one\x1b[K\r\n 1 Cluster 2 ●\x1b[K\r\nbody\x1b[K\r\nstatus\x1b[4;1H" +
		"\x1b[Hheader two\x1b[K\n\n\n\x1b[4;1H" +
		"\x1b[3;3Hdy!\x1b[2;12H\x1b[K"
	// Feed byte by byte: every sequence and the 3-byte rune are split.
	for i := 0; i < len(frames); i++ {
		s.write([]byte{frames[i]})
	}
	want := "header two\n 1 Cluster\nbody!\nstatus"
	if got := s.String(); got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
	s.write([]byte("\x1b[2J"))
	if got := s.String(); got != "\n\n\n" {
		t.Fatalf("after erase display: %q", got)
	}
}
