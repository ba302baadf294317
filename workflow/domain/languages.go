package domain

import (
	"fmt"

	"golang.org/x/text/language"
)

// LanguageOption is one entry of the sign-up form's language select.
type LanguageOption struct {
	Tag  string // BCP 47, e.g. "pt-BR"; empty means no preference
	Name string // English name, e.g. "Portuguese (Brazil)"
}

// commonLanguages are offered in the select; any other valid BCP 47 tag is
// still accepted from a form posted by another site.
var commonLanguages = [...]LanguageOption{
	{"", "No preference"},
	{"ar", "Arabic"},
	{"zh-Hans", "Chinese (Simplified)"},
	{"zh-Hant", "Chinese (Traditional)"},
	{"cs", "Czech"},
	{"da", "Danish"},
	{"nl", "Dutch"},
	{"en", "English"},
	{"en-GB", "English (United Kingdom)"},
	{"en-US", "English (United States)"},
	{"fi", "Finnish"},
	{"fr", "French"},
	{"fr-CA", "French (Canada)"},
	{"de", "German"},
	{"el", "Greek"},
	{"he", "Hebrew"},
	{"hi", "Hindi"},
	{"hu", "Hungarian"},
	{"id", "Indonesian"},
	{"it", "Italian"},
	{"ja", "Japanese"},
	{"ko", "Korean"},
	{"nb", "Norwegian Bokmål"},
	{"pl", "Polish"},
	{"pt", "Portuguese"},
	{"pt-BR", "Portuguese (Brazil)"},
	{"ro", "Romanian"},
	{"ru", "Russian"},
	{"es", "Spanish"},
	{"es-419", "Spanish (Latin America)"},
	{"sv", "Swedish"},
	{"th", "Thai"},
	{"tr", "Turkish"},
	{"uk", "Ukrainian"},
	{"vi", "Vietnamese"},
}

// LanguageOptions returns the languages offered in the sign-up form. If
// current is a tag not in the list, it is added so a re-rendered form keeps it.
func LanguageOptions(current string) []LanguageOption {
	opts := make([]LanguageOption, 0, len(commonLanguages)+1)
	found := false
	for _, o := range commonLanguages {
		if o.Tag == current {
			found = true
		}
		opts = append(opts, o)
	}
	if !found {
		opts = append(opts, LanguageOption{Tag: current, Name: current})
	}
	return opts
}

// MaxLanguageLen bounds a tag; real tags are short and x/text rejects
// pathological ones, but the form reports a clear message first.
const MaxLanguageLen = 35

// CanonicalLanguage parses a BCP 47 tag and returns its canonical form
// ("pt-br" → "pt-BR").
func CanonicalLanguage(s string) (string, error) {
	if len(s) > MaxLanguageLen {
		return "", fmt.Errorf("language tag longer than %d characters", MaxLanguageLen)
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", err
	}
	return tag.String(), nil
}
