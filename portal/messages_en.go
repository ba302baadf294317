package portal

import (
	"golang.org/x/text/language"

	"github.com/regdesk/regdesk/workflow/locale"
)

// pluralsFor are the portal's messages that depend on a count.
func pluralsFor(t language.Tag) map[string]locale.Plural {
	switch t {
	case locale.German:
		return pluralsDE
	case locale.French:
		return pluralsFR
	case locale.Spanish:
		return pluralsES
	}
	return pluralsEN
}

var pluralsEN = map[string]locale.Plural{
	"Net %d":                 {One: "Net %d", Other: "Net %d"},
	"%d recovery codes left": {One: "%d recovery code left", Other: "%d recovery codes left"},
}
