// Package termtest is a small terminal emulator for tests that drive a
// terminal program from outside (over SSH): enough of xterm for what Bubble
// Tea's renderer sends (cursor movement, erase, insert/delete of characters
// and lines, scroll regions, the alternate screen), so a test reads the
// screen as a person would see it. Colours and attributes are ignored.
package termtest

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Screen is a w×h terminal screen fed with what a program writes. It is not
// safe for concurrent use.
type Screen struct {
	w, h      int
	cells     [][]rune
	x, y      int
	top, bot  int // scroll region, inclusive
	savedX    int
	savedY    int
	insert    bool
	noWrap    bool
	last      rune
	main      [][]rune // the main screen while the alternate one is shown
	mainX     int
	mainY     int
	parser    *ansi.Parser
	onBGQuery func()
}

// New returns a blank w×h screen; onBGQuery, if set, is called when the
// program asks for the background colour (OSC 11), for the caller to answer
// as a terminal would.
func New(w, h int, onBGQuery func()) *Screen {
	s := &Screen{w: w, h: h, bot: h - 1, onBGQuery: onBGQuery}
	s.cells = s.blank()
	s.parser = ansi.NewParser()
	s.parser.SetHandler(ansi.Handler{
		Print:     s.print,
		Execute:   s.execute,
		HandleCsi: s.csi,
		HandleEsc: s.esc,
		HandleOsc: func(cmd int, data []byte) {
			if cmd == 11 && strings.HasSuffix(string(data), "?") && s.onBGQuery != nil {
				s.onBGQuery()
			}
		},
	})
	return s
}

// Write feeds the program's output to the screen.
func (s *Screen) Write(p []byte) (int, error) {
	s.parser.Parse(p)
	return len(p), nil
}

// String is the screen's text, one line per row, without trailing blanks.
func (s *Screen) String() string {
	lines := make([]string, len(s.cells))
	for i, row := range s.cells {
		var b strings.Builder
		for _, r := range row {
			if r != 0 {
				b.WriteRune(r)
			}
		}
		lines[i] = strings.TrimRight(b.String(), " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

func (s *Screen) blank() [][]rune {
	rows := make([][]rune, s.h)
	for i := range rows {
		rows[i] = s.blankRow()
	}
	return rows
}

func (s *Screen) blankRow() []rune { return []rune(strings.Repeat(" ", s.w)) }

// Resize keeps what fits, like a terminal window being resized.
func (s *Screen) Resize(w, h int) {
	old := s.cells
	s.w, s.h = w, h
	s.cells = s.blank()
	for y := 0; y < min(h, len(old)); y++ {
		copy(s.cells[y], old[y])
	}
	s.top, s.bot = 0, h-1
	s.main = nil
	s.clamp()
}

func (s *Screen) clamp() {
	s.x = min(max(s.x, 0), s.w-1)
	s.y = min(max(s.y, 0), s.h-1)
}

func (s *Screen) print(r rune) {
	width := ansi.StringWidth(string(r))
	if width == 0 {
		return
	}
	if s.x+width > s.w {
		if s.noWrap {
			s.x = s.w - width
		} else {
			s.x = 0
			s.index()
		}
	}
	row := s.cells[s.y]
	if s.insert {
		copy(row[s.x+width:], row[s.x:])
	}
	row[s.x] = r
	if width == 2 {
		row[s.x+1] = 0
	}
	s.x += width
	s.last = r
	if s.x >= s.w && s.noWrap {
		s.x = s.w - 1
	}
}

func (s *Screen) execute(b byte) {
	switch b {
	case '\r':
		s.x = 0
	case '\n', '\v', '\f':
		s.index()
	case '\b':
		s.x = max(s.x-1, 0)
	case '\t':
		s.x = min((s.x/8+1)*8, s.w-1)
	}
}

// index moves down a line, scrolling the region at its bottom.
func (s *Screen) index() {
	if s.y == s.bot {
		s.scrollUp(1)
	} else if s.y < s.h-1 {
		s.y++
	}
}

func (s *Screen) scrollUp(n int) {
	for range min(n, s.bot-s.top+1) {
		copy(s.cells[s.top:s.bot], s.cells[s.top+1:s.bot+1])
		s.cells[s.bot] = s.blankRow()
	}
}

func (s *Screen) scrollDown(n int) {
	for range min(n, s.bot-s.top+1) {
		copy(s.cells[s.top+1:s.bot+1], s.cells[s.top:s.bot])
		s.cells[s.top] = s.blankRow()
	}
}

func (s *Screen) esc(cmd ansi.Cmd) {
	if cmd.Intermediate() != 0 {
		return
	}
	switch cmd.Final() {
	case '7':
		s.savedX, s.savedY = s.x, s.y
	case '8':
		s.x, s.y = s.savedX, s.savedY
	case 'D':
		s.index()
	case 'E':
		s.x = 0
		s.index()
	case 'M':
		if s.y == s.top {
			s.scrollDown(1)
		} else {
			s.y = max(s.y-1, 0)
		}
	}
}

func (s *Screen) csi(cmd ansi.Cmd, params ansi.Params) {
	if cmd.Intermediate() != 0 {
		return
	}
	arg := func(i, def int) int {
		v, _, _ := params.Param(i, def)
		if v == 0 {
			return def
		}
		return v
	}
	if cmd.Prefix() == '?' {
		s.privateMode(cmd.Final(), params)
		return
	}
	if cmd.Prefix() != 0 {
		return
	}
	n := arg(0, 1)
	switch cmd.Final() {
	case 'A':
		s.y -= n
	case 'B', 'e':
		s.y += n
	case 'C', 'a':
		s.x += n
	case 'D':
		s.x -= n
	case 'E':
		s.x, s.y = 0, s.y+n
	case 'F':
		s.x, s.y = 0, s.y-n
	case 'G', '`':
		s.x = n - 1
	case 'd':
		s.y = n - 1
	case 'H', 'f':
		s.y, s.x = arg(0, 1)-1, arg(1, 1)-1
	case 'J':
		s.eraseDisplay(arg(0, 0))
	case 'K':
		s.eraseLine(arg(0, 0))
	case 'X':
		row := s.cells[s.y]
		for i := s.x; i < min(s.x+n, s.w); i++ {
			row[i] = ' '
		}
	case '@':
		row := s.cells[s.y]
		n = min(n, s.w-s.x)
		copy(row[s.x+n:], row[s.x:])
		for i := s.x; i < s.x+n; i++ {
			row[i] = ' '
		}
	case 'P':
		row := s.cells[s.y]
		n = min(n, s.w-s.x)
		copy(row[s.x:], row[s.x+n:])
		for i := s.w - n; i < s.w; i++ {
			row[i] = ' '
		}
	case 'L', 'M':
		if s.y < s.top || s.y > s.bot {
			return
		}
		top := s.top
		s.top = s.y
		if cmd.Final() == 'L' {
			s.scrollDown(n)
		} else {
			s.scrollUp(n)
		}
		s.top = top
		s.x = 0
	case 'S':
		s.scrollUp(n)
	case 'T':
		s.scrollDown(n)
	case 'b':
		for range n {
			s.print(s.last)
		}
	case 'r':
		s.top, s.bot = arg(0, 1)-1, arg(1, s.h)-1
		if s.top >= s.bot || s.bot >= s.h {
			s.top, s.bot = 0, s.h-1
		}
		s.x, s.y = 0, 0
	case 'h', 'l':
		if v, _, _ := params.Param(0, 0); v == 4 {
			s.insert = cmd.Final() == 'h'
		}
	case 's':
		s.savedX, s.savedY = s.x, s.y
	case 'u':
		s.x, s.y = s.savedX, s.savedY
	}
	s.clamp()
}

func (s *Screen) privateMode(final byte, params ansi.Params) {
	if final != 'h' && final != 'l' {
		return
	}
	set := final == 'h'
	params.ForEach(0, func(_, mode int, _ bool) {
		switch mode {
		case 7:
			s.noWrap = !set
		case 47, 1047, 1049:
			if set && s.main == nil {
				s.main, s.mainX, s.mainY = s.cells, s.x, s.y
				s.cells = s.blank()
			} else if !set && s.main != nil {
				s.cells, s.x, s.y = s.main, s.mainX, s.mainY
				s.main = nil
			}
		}
	})
}

func (s *Screen) eraseDisplay(mode int) {
	switch mode {
	case 0:
		s.eraseLine(0)
		for y := s.y + 1; y < s.h; y++ {
			s.cells[y] = s.blankRow()
		}
	case 1:
		s.eraseLine(1)
		for y := 0; y < s.y; y++ {
			s.cells[y] = s.blankRow()
		}
	default:
		s.cells = s.blank()
	}
}

func (s *Screen) eraseLine(mode int) {
	row := s.cells[s.y]
	from, to := s.x, s.w
	switch mode {
	case 1:
		from, to = 0, s.x+1
	case 2:
		from = 0
	}
	for i := from; i < min(to, s.w); i++ {
		row[i] = ' '
	}
}
