package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// Styles are one session's colours and text styles, chosen for its
// terminal's background and colour profile. Every session builds its own.
type Styles struct {
	Dark bool

	Brand, NavActive, NavItem, NavKey lipgloss.Style
	TabActive, Tab, TabCount          lipgloss.Style
	Header, Cell, Selected, Gutter    lipgloss.Style
	Muted, Label, Value, Section      lipgloss.Style
	OK, Warn, Err, Info               lipgloss.Style
	Dialog, DialogTitle, Key, Input   lipgloss.Style
	Rule                              lipgloss.Style
	StatusColor                       map[string]lipgloss.Style
	Help                              help.Styles
}

// NewStyles builds styles for a dark or light background. In 16 colours
// (ANSI) it uses the basic palette, which every terminal theme makes legible,
// and the terminal's own foreground for text (ANSI white is pale on a light
// theme).
func NewStyles(dark bool, profile colorprofile.Profile) Styles {
	ld := lipgloss.LightDark(dark)
	basic := profile == colorprofile.ANSI
	c := func(ansi int, light, darkHex string) color.Color {
		if basic {
			return lipgloss.ANSIColor(ansi)
		}
		return ld(lipgloss.Color(light), lipgloss.Color(darkHex))
	}
	var (
		accent  = c(4, "#3E5BA9", "#8AA4F0")
		text    = c(7, "#2B2D33", "#D9DCE3")
		subtle  = c(8, "#7A7F8C", "#7D8394")
		faint   = c(8, "#C9CCD4", "#3D414C")
		selBG   = c(4, "#DDE5F8", "#2B3450")
		green   = c(2, "#2E7D4F", "#8CCF9E")
		yellow  = c(3, "#93650A", "#E6C07B")
		red     = c(1, "#B3261E", "#F08C84")
		cyan    = c(6, "#1D6F80", "#7FC8D6")
		magenta = c(5, "#7B4FA0", "#C6A0E8")
	)
	if basic {
		text = lipgloss.NoColor{}
	}
	s := Styles{Dark: dark}
	s.Brand = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.NavActive = lipgloss.NewStyle().Foreground(accent).Bold(true).Underline(true)
	s.NavItem = lipgloss.NewStyle().Foreground(subtle)
	s.NavKey = lipgloss.NewStyle().Foreground(faint)
	s.TabActive = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Tab = lipgloss.NewStyle().Foreground(subtle)
	s.TabCount = lipgloss.NewStyle().Foreground(subtle)
	s.Header = lipgloss.NewStyle().Foreground(subtle).Bold(true)
	s.Cell = lipgloss.NewStyle().Foreground(text)
	s.Selected = lipgloss.NewStyle().Background(selBG).Foreground(text).Bold(true)
	s.Gutter = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Muted = lipgloss.NewStyle().Foreground(subtle)
	s.Label = lipgloss.NewStyle().Foreground(subtle)
	s.Value = lipgloss.NewStyle().Foreground(text)
	s.Section = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.OK = lipgloss.NewStyle().Foreground(green)
	s.Warn = lipgloss.NewStyle().Foreground(yellow)
	s.Err = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Info = lipgloss.NewStyle().Foreground(cyan)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.DialogTitle = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Key = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Input = lipgloss.NewStyle().Foreground(text)
	s.Rule = lipgloss.NewStyle().Foreground(faint)
	s.StatusColor = map[string]lipgloss.Style{
		"requested": lipgloss.NewStyle().Foreground(subtle),
		"verified":  lipgloss.NewStyle().Foreground(yellow),
		"approved":  lipgloss.NewStyle().Foreground(cyan),
		"created":   lipgloss.NewStyle().Foreground(green),
		"rejected":  lipgloss.NewStyle().Foreground(red),
		"expired":   lipgloss.NewStyle().Foreground(subtle),
		// user requests and mail
		"draft": lipgloss.NewStyle().Foreground(subtle), "submitted": lipgloss.NewStyle().Foreground(cyan),
		"pending_approval": lipgloss.NewStyle().Foreground(yellow), "provisioned": lipgloss.NewStyle().Foreground(cyan),
		"completed": lipgloss.NewStyle().Foreground(green), "canceled": lipgloss.NewStyle().Foreground(subtle),
		"failed": lipgloss.NewStyle().Foreground(red).Bold(true), "queued": lipgloss.NewStyle().Foreground(yellow),
		"sent": lipgloss.NewStyle().Foreground(green), "active": lipgloss.NewStyle().Foreground(green),
		"inactive": lipgloss.NewStyle().Foreground(subtle), "default": lipgloss.NewStyle().Foreground(subtle),
		"set": lipgloss.NewStyle().Foreground(magenta),
	}
	keyStyle := lipgloss.NewStyle().Foreground(text)
	descStyle := lipgloss.NewStyle().Foreground(subtle)
	sep := lipgloss.NewStyle().Foreground(faint)
	s.Help = help.Styles{ShortKey: keyStyle, ShortDesc: descStyle, ShortSeparator: sep,
		Ellipsis: sep, FullKey: keyStyle, FullDesc: descStyle, FullSeparator: sep}
	return s
}

// Risk is the style of a risk level ("high", "medium", "low" or "").
func (s Styles) Risk(level string) lipgloss.Style {
	switch level {
	case "high":
		return s.Err
	case "medium":
		return s.Warn
	}
	return s.Muted
}

// Status renders a status word in its colour.
func (s Styles) Status(status string) string {
	if st, ok := s.StatusColor[status]; ok {
		return st.Render(status)
	}
	return s.Value.Render(status)
}

// neutralStyles are the styles while the background is unknown, and for good
// when the terminal never answers the query (tmux, many SSH clients): the
// basic palette and the terminal's own text colour read well on a light and
// on a dark background, where the dark theme's pale text vanishes on white.
func neutralStyles() Styles {
	return NewStyles(true, colorprofile.ANSI)
}
