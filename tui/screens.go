package tui

import tea "charm.land/bubbletea/v2"

// screen is one of the app's screens: a component that owns its size and
// answers its own messages. View draws the last state and changes nothing.
type screen interface {
	Init() tea.Cmd
	// Update handles keys when the screen is active and its own replies always.
	Update(msg tea.Msg, active bool) tea.Cmd
	// SetSize gives the screen its body area; the app calls it after every
	// message, as what surrounds the body (status line, help) changes height.
	SetSize(width, height int)
	View() string
	Help() helpMap
	// Reload rereads what is on screen after the database changed.
	Reload() tea.Cmd
	// Capturing reports that the screen wants every key (typing in a field).
	Capturing() bool
}

// lazyScreen is a screen too costly to reread on every change in the
// database: the app rereads it only while it is shown (and when it is shown).
type lazyScreen interface{ reloadsOnlyWhenShown() }

// screenDef is one screen as the app lists it. This list is the only place
// that knows how many screens there are: the nav bar, the number keys, the
// help and the window title all come from it.
type screenDef struct {
	name  string // nav bar and window title
	short string // nav bar on a narrow terminal
	build func(*session) screen
}

func screenDefs() []screenDef {
	return []screenDef{
		{"Registration", "Registration", func(s *session) screen { return newRegistration(s) }},
		{"User requests", "Users", func(s *session) screen { return newUserRequests(s) }},
		{"Customers", "Customers", func(s *session) screen { return newCustomers(s) }},
		{"Parameters", "Params", func(s *session) screen { return newParams(s) }},
		{"Mail", "Mail", func(s *session) screen { return newMail(s) }},
		{"Insights", "Insights", func(s *session) screen { return newInsights(s) }},
		{"Webhooks", "Hooks", func(s *session) screen { return newWebhooks(s) }},
	}
}
