package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// cursor is the selection and scroll position of a list of n rows shown h
// at a time.
type cursor struct {
	sel, top, n, h int
}

func (c *cursor) move(d int) bool {
	old := c.sel
	c.sel = max(min(c.sel+d, c.n-1), 0)
	c.clamp()
	return c.sel != old
}

func (c *cursor) clamp() {
	h := max(c.h, 1)
	if c.sel >= c.n {
		c.sel = max(c.n-1, 0)
	}
	if c.sel < c.top {
		c.top = c.sel
	}
	if c.sel >= c.top+h {
		c.top = c.sel - h + 1
	}
	c.top = max(min(c.top, c.n-h), 0)
}

// navKey applies a movement key or wheel event; it reports whether msg was one.
func (c *cursor) navKey(k Keys, msg tea.Msg) (moved, handled bool) {
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return c.move(-3), true
		case tea.MouseWheelDown:
			return c.move(3), true
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Down):
			return c.move(1), true
		case key.Matches(msg, k.Up):
			return c.move(-1), true
		case key.Matches(msg, k.PageDown):
			return c.move(c.h), true
		case key.Matches(msg, k.PageUp):
			return c.move(-c.h), true
		case key.Matches(msg, k.Top):
			return c.move(-c.n), true
		case key.Matches(msg, k.Bottom):
			return c.move(c.n), true
		}
	}
	return false, false
}

// setHeight fits the cursor to a table h lines high (a header, then rows).
func (c *cursor) setHeight(h int) {
	c.h = max(h-1, 1)
	c.clamp()
}

// table draws the visible rows of a list: header, then rows, the selected
// one highlighted; status is the last column, coloured by value. It works
// on a copy, so drawing never moves the cursor.
func (c cursor) table(st Styles, cols []column, w, h int, empty string, cells func(i int) []string) string {
	c.setHeight(h)
	widths := layoutColumns(cols, w)
	titles := make([]string, len(cols))
	for i, col := range cols {
		titles[i] = col.title
	}
	out := []string{st.Header.Render(row(widths, titles...))}
	if c.n == 0 {
		return strings.Join(append(out, st.Muted.Render(" "+empty)), "\n")
	}
	last := len(widths) - 1
	for i := c.top; i < min(c.top+c.h, c.n); i++ {
		cs := cells(i)
		line := row(widths[:last], cs[:last]...)
		status := cell(cs[last], widths[last])
		if i == c.sel {
			out = append(out, st.Gutter.Render("▌")+st.Selected.Render(line[1:]+" "+status))
		} else {
			stStyle, ok := st.StatusColor[cs[last]]
			if !ok {
				stStyle = st.Value
			}
			out = append(out, st.Cell.Render(line)+" "+stStyle.Render(status))
		}
	}
	return strings.Join(out, "\n")
}

// kv draws a label and a value for a details pane.
func kv(st Styles, label, value string) string {
	return st.Label.Render(cell(label, 12)) + st.Value.Render(value)
}
