package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// dialog is a modal over the screen: a component with its own width that
// takes every key until it closes by returning closeDialog.
type dialog interface {
	// Init starts what the dialog needs loaded once it is open.
	Init() tea.Cmd
	// Update handles a message; handled is false for messages it ignores.
	Update(msg tea.Msg) (cmd tea.Cmd, handled bool)
	SetWidth(width int)
	View() string
	Help() helpMap
}

// Messages that open and close a dialog: only the app holds the open one.
type (
	openDialogMsg  struct{ d dialog }
	closeDialogMsg struct {
		status statusLine
		then   tea.Cmd // runs once the dialog is gone (the action it confirmed)
	}
)

// openDialog shows d over the screen.
func openDialog(d dialog) tea.Cmd { return func() tea.Msg { return openDialogMsg{d} } }

// closeDialog closes the open dialog, shows status, then runs then.
func closeDialog(status statusLine, then tea.Cmd) tea.Cmd {
	return func() tea.Msg { return closeDialogMsg{status, then} }
}

// cancelled is the status line of a dialog closed without acting.
var cancelled = statusLine{"Cancelled; nothing changed.", "info"}

// confirmDialog says exactly what will happen and runs it on y/enter.
type confirmDialog struct {
	s     *session
	title string
	lines []string
	verb  string
	run   func() tea.Cmd
	width int
}

// confirm opens a dialog that runs run once the approver confirms.
func (s *session) confirm(title, verb string, lines []string, run func() tea.Cmd) tea.Cmd {
	return openDialog(&confirmDialog{s: s, title: title, verb: verb, lines: lines, run: run, width: 60})
}

func (d *confirmDialog) Init() tea.Cmd  { return nil }
func (d *confirmDialog) SetWidth(w int) { d.width = w }
func (d *confirmDialog) Update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch {
	case key.Matches(k, d.s.keys.Confirm):
		return closeDialog(statusLine{d.verb + "…", "info"}, d.run()), true
	case key.Matches(k, d.s.keys.Cancel), k.String() == "q":
		return closeDialog(cancelled, nil), true
	}
	return nil, true
}

func (d *confirmDialog) View() string {
	st := d.s.styles
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(d.title) + "\n\n")
	for _, l := range d.lines {
		b.WriteString(wrap(l, d.width-4) + "\n")
	}
	b.WriteString("\n" + st.Key.Render("y") + st.Muted.Render(" "+strings.ToLower(d.verb)+"   ") +
		st.Key.Render("esc") + st.Muted.Render(" cancel"))
	return b.String()
}

func (d *confirmDialog) Help() helpMap {
	k := d.s.keys
	return helpMap{short: []key.Binding{k.Confirm, k.Cancel}, full: [][]key.Binding{{k.Confirm, k.Cancel}}}
}

// wrap breaks plain text into lines of at most w cells at spaces.
func wrap(s string, w int) string {
	if w < 10 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case len([]rune(line))+1+len([]rune(word)) > w:
				out = append(out, line)
				line = word
			default:
				line += " " + word
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// choice is a one-of-several field drawn as a row of options.
type choice struct {
	options []string
	sel     int
}

func (c *choice) move(d int) {
	if len(c.options) > 0 {
		c.sel = (c.sel + d + len(c.options)) % len(c.options)
	}
}

func (c choice) value() string {
	if c.sel < len(c.options) {
		return c.options[c.sel]
	}
	return ""
}

func (c choice) view(st Styles, focused bool) string {
	parts := make([]string, len(c.options))
	for i, o := range c.options {
		switch {
		case i == c.sel && focused:
			parts[i] = st.Selected.Render("‹" + o + "›")
		case i == c.sel:
			parts[i] = st.Value.Render("[" + o + "]")
		default:
			parts[i] = st.Muted.Render(" " + o + " ")
		}
	}
	return strings.Join(parts, " ")
}

// viewWrapped draws the options on as many lines of w cells as they need
// (each after indent), so that none is cut off on a narrow terminal.
func (c choice) viewWrapped(st Styles, focused bool, w int, indent string) string {
	var lines []string
	cur := ""
	for i := range c.options {
		one := choice{options: c.options[i : i+1]}
		if i == c.sel {
			one.sel = 0
		} else {
			one.sel = -1
		}
		part := one.view(st, focused)
		switch {
		case cur == "":
			cur = part
		case lipgloss.Width(cur)+1+lipgloss.Width(part) > w-len(indent):
			lines = append(lines, indent+cur)
			cur = part
		default:
			cur += " " + part
		}
	}
	lines = append(lines, indent+cur)
	return strings.Join(lines, "\n")
}

// newInput is a text field without a blinking cursor (steady frames, calm).
func newInput(st Styles, placeholder string, limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = placeholder
	ti.CharLimit = limit
	sty := textinput.DefaultStyles(st.Dark)
	sty.Cursor.Blink = false
	ti.SetStyles(sty)
	return ti
}
