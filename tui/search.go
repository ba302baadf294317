package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// searchBox is a list's search field. While typing it takes every key;
// enter puts the text in effect and esc puts back the search in effect.
type searchBox struct {
	input  textinput.Model
	typing bool
	value  string // the search in effect
	// live puts the text in effect at every keystroke, so the list follows
	// the typing; esc then goes back to before, the search when typing began.
	live   bool
	before string
}

func newSearchBox(st Styles, placeholder string) searchBox {
	in := newInput(st, placeholder, 100)
	in.Prompt = "/ "
	return searchBox{input: in}
}

// newLiveSearchBox is a search box whose list follows the typing.
func newLiveSearchBox(st Styles, placeholder string) searchBox {
	b := newSearchBox(st, placeholder)
	b.live = true
	return b
}

func (b *searchBox) SetWidth(w int) { b.input.SetWidth(w - 4) }

// active reports whether the box takes a line: typing, or a search in effect.
func (b searchBox) active() bool { return b.typing || b.value != "" }

// focus starts typing from the search in effect.
func (b *searchBox) focus() tea.Cmd {
	b.typing = true
	b.before = b.value
	b.input.SetValue(b.value)
	b.input.CursorEnd()
	return b.input.Focus()
}

// clear drops the search in effect; it reports whether there was one.
func (b *searchBox) clear() bool {
	had := b.value != ""
	b.value = ""
	b.input.SetValue("")
	return had
}

// Update handles a key while typing. done is set when typing ends;
// committed when it ended with enter, which put the text in effect. A live
// box changes value as it goes: the caller compares it with the value
// before the call.
func (b *searchBox) Update(msg tea.KeyPressMsg) (cmd tea.Cmd, done, committed bool) {
	switch msg.String() {
	case "enter":
		b.typing = false
		b.input.Blur()
		b.value = strings.TrimSpace(b.input.Value())
		return nil, true, true
	case "esc":
		b.typing = false
		b.input.Blur()
		if b.live {
			b.value = b.before
		}
		b.input.SetValue(b.value)
		return nil, true, false
	}
	b.input, cmd = b.input.Update(msg)
	if b.live {
		b.value = strings.TrimSpace(b.input.Value())
	}
	return cmd, false, false
}

// View is the search line: the field while typing, else the search in
// effect and how to clear it.
func (b searchBox) View(st Styles) string {
	if b.typing {
		return b.input.View()
	}
	return st.Muted.Render("/ ") + st.Value.Render(Sanitize(b.value)) + st.Muted.Render("   esc clears")
}

// Help is the keys while typing.
func (b searchBox) Help() helpMap {
	enter := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search"))
	esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	return helpMap{short: []key.Binding{enter, esc}, full: [][]key.Binding{{enter, esc}}}
}
