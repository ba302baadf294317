package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Keys is one session's key map (SPEC: Registration screen keys). Screens
// pick the bindings that apply to them for the help bar.
type Keys struct {
	NextTab, PrevTab                           key.Binding
	Up, Down, PageUp, PageDown, Top, Bottom    key.Binding
	Search, Details, Back                      key.Binding
	Approve, Reject, Create, Resend, Provision key.Binding
	Correct                                    key.Binding // edit a request's fields
	Withdraw                                   key.Binding // cancel a user request
	Retry, Inactivate, Edit, ResetTwoFactor    key.Binding
	Remove                                     key.Binding // take a template out of use
	Mark, Risky                                key.Binding
	Reread, Help, Quit                         key.Binding
	Screens                                    []key.Binding // 1…9, one per screen
	Confirm, Cancel, Field, Save               key.Binding
}

// NewKeys returns the key map for an app whose screens are named screens.
func NewKeys(screens []string) Keys {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	k := Keys{
		NextTab:        b([]string{"tab"}, "tab", "filter"),
		PrevTab:        b([]string{"shift+tab"}, "shift+tab", "prev filter"),
		Up:             b([]string{"up", "k"}, "↑/k", "up"),
		Down:           b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:         b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown:       b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:            b([]string{"g", "home"}, "g", "first"),
		Bottom:         b([]string{"G", "end"}, "G", "last"),
		Search:         b([]string{"/"}, "/", "search"),
		Details:        b([]string{"enter"}, "enter", "details"),
		Back:           b([]string{"esc"}, "esc", "back"),
		Approve:        b([]string{"a"}, "a", "approve"),
		Reject:         b([]string{"x"}, "x", "reject"),
		Create:         b([]string{"c"}, "c", "create"),
		Resend:         b([]string{"s"}, "s", "resend link"),
		Provision:      b([]string{"p"}, "p", "provision"),
		Correct:        b([]string{"e"}, "e", "edit"),
		Withdraw:       b([]string{"d"}, "d", "cancel request"),
		Retry:          b([]string{"t"}, "t", "retry"),
		Inactivate:     b([]string{"i"}, "i", "inactivate user"),
		ResetTwoFactor: b([]string{"f"}, "f", "reset two-step login"),
		Edit:           b([]string{"e", "enter"}, "e/enter", "edit"),
		Remove:         b([]string{"d"}, "d", "remove"),
		Reread:         b([]string{"r"}, "r", "reread"),
		Mark:           b([]string{"space"}, "space", "mark"),
		Risky:          b([]string{"!"}, "!", "risky only"),
		Help:           b([]string{"?"}, "?", "more"),
		Quit:           b([]string{"q", "ctrl+c"}, "q", "quit"),
		Confirm:        b([]string{"y", "enter"}, "y/enter", "confirm"),
		Cancel:         b([]string{"esc", "n"}, "esc/n", "cancel"),
		Field:          b([]string{"tab", "shift+tab"}, "tab", "next field"),
		Save:           b([]string{"ctrl+s"}, "ctrl+s", "save"),
	}
	for i, name := range screens {
		n := strconv.Itoa(i + 1)
		k.Screens = append(k.Screens, b([]string{n}, n, strings.ToLower(name)))
	}
	return k
}

// helpMap adapts a list of bindings to bubbles/help.
type helpMap struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h helpMap) ShortHelp() []key.Binding  { return h.short }
func (h helpMap) FullHelp() [][]key.Binding { return h.full }
