package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/locale"
)

// LanguageCookie remembers the language chosen in the switcher for a year.
const LanguageCookie = "regdesk_lang"

// FieldLang is the switcher's field: a supported language such as "de".
const FieldLang = "lang"

// LanguageOf returns the language to answer r in: the one chosen in the
// switcher (the cookie), else the best fit for Accept-Language, else English.
func LanguageOf(r *http.Request) language.Tag {
	if c, err := r.Cookie(LanguageCookie); err == nil {
		if t, ok := locale.Parse(c.Value); ok {
			return t
		}
	}
	return locale.Match(r.Header.Get("Accept-Language"))
}

// LanguageChoice is one button of the language switcher.
type LanguageChoice struct {
	Tag     string // "de"
	Name    string // in its own language: "Deutsch"
	Current bool
}

func languageChoices(current language.Tag) []LanguageChoice {
	out := make([]LanguageChoice, 0, len(locale.Supported()))
	for _, t := range locale.Supported() {
		out = append(out, LanguageChoice{Tag: t.String(), Name: selfName(t), Current: t == current})
	}
	return out
}

// selfName is a language's name in that language, capitalised as in a menu.
func selfName(t language.Tag) string {
	switch t {
	case locale.German:
		return "Deutsch"
	case locale.French:
		return "Français"
	case locale.Spanish:
		return "Español"
	}
	return "English"
}

// setLanguage remembers the language chosen in the switcher and returns to
// the page it was chosen on. It works without JavaScript: the switcher is a
// form with one button per language.
func (s *server) setLanguage(w http.ResponseWriter, r *http.Request) {
	if !s.rd.ParseForm(w, r) {
		return
	}
	t, ok := locale.Parse(r.PostForm.Get(FieldLang))
	if !ok {
		s.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: LanguageCookie, Value: t.String(), Path: "/",
		MaxAge: 365 * 24 * 60 * 60, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	next := LocalPath(r.PostForm.Get(FieldNext))
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// funcs are the template functions of one language.
func (rd *Renderer) funcs(lp *langPages) template.FuncMap {
	return template.FuncMap{
		"asset": rd.assetURL,
		// t translates a message: a literal in a template or a text the Go
		// code chose (a label, a field error).
		"t": func(key string, args ...any) (string, error) { return rd.text(lp.p, key, args) },
		// th translates a message whose translation holds markup; string
		// arguments are escaped, template.HTML ones are kept.
		"th": func(key string, args ...any) (template.HTML, error) {
			esc := make([]any, len(args))
			for i, a := range args {
				switch v := a.(type) {
				case template.HTML:
					esc[i] = string(v)
				case string:
					esc[i] = template.HTMLEscapeString(v)
				default:
					esc[i] = a
				}
			}
			s, err := rd.text(lp.p, key, esc)
			return template.HTML(s), err // #nosec: the catalogue is ours; arguments are escaped above
		},
		// msg says a field error, with the arguments of one that names something.
		"msg": func(e FieldError) (string, error) { return rd.text(lp.p, e.Message, e.Args) },
		"dur": func(d any) (string, error) {
			switch v := d.(type) {
			case LinkLifetime:
				return lp.p.Duration(time.Duration(v)), nil
			case time.Duration:
				return lp.p.Duration(v), nil
			}
			return "", fmt.Errorf("dur: %T is not a duration", d)
		},
		"payterms":  func(s string) string { return paymentTermsIn(lp.p, s) },
		"date":      lp.p.Date,
		"datetime":  lp.p.DateTime,
		"country":   func(code string) string { return countryIn(lp.p.Tag(), code) },
		"countries": func() []domain.Country { return lp.countries },
		"languages": func(current string) []domain.LanguageOption { return languageOptionsIn(lp.p.Tag(), current) },
		"langname":  func(tag string) string { return languageNameIn(lp.p.Tag(), tag) },
	}
}

// text formats one message; in strict mode (tests) a missing one fails the
// page instead of falling back to English.
func (rd *Renderer) text(p *locale.Printer, key string, args []any) (string, error) {
	if key == "" {
		return "", nil
	}
	if rd.strict {
		return p.Strict(key, args...)
	}
	return p.Sprintf(key, args...), nil
}

// reNetDays matches payment terms written the ERP's way: "Net 30".
var reNetDays = regexp.MustCompile(`^(?i:net)\s*(\d{1,3})$`)

// paymentTermsIn says payment terms in p's language: "Net 30" is a count
// of days ("30 Tage netto"); other terms are shown as the ERP has them.
func paymentTermsIn(p *locale.Printer, terms string) string {
	m := reNetDays.FindStringSubmatch(strings.TrimSpace(terms))
	if m == nil {
		return terms
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return terms
	}
	return p.Sprintf("Net %d", n)
}

// countryIn is a country's name in language t; English names come from
// our table (common names), the others from CLDR.
func countryIn(t language.Tag, code string) string {
	en, ok := domain.CountryName(code)
	if !ok {
		return code
	}
	if t == locale.English {
		return en
	}
	if r, err := language.ParseRegion(code); err == nil {
		if n := display.Regions(t).Name(r); n != "" {
			return n
		}
	}
	return en
}

// localCountries is the country list named and sorted the way of t.
func localCountries(t language.Tag) []domain.Country {
	cs := domain.Countries()
	if t == locale.English {
		return cs
	}
	for i := range cs {
		cs[i].Name = countryIn(t, cs[i].Code)
	}
	col := collate.New(t)
	slices.SortFunc(cs, func(a, b domain.Country) int { return col.CompareString(a.Name, b.Name) })
	return cs
}

// languageNameIn is a language tag's name in language t, or the tag when
// unknown, or "".
func languageNameIn(t language.Tag, tag string) string {
	if tag == "" {
		return ""
	}
	if t == locale.English {
		return LanguageName(tag)
	}
	if lt, err := language.Parse(tag); err == nil {
		if n := display.Tags(t).Name(lt); n != "" {
			return n
		}
	}
	return tag
}

// languageOptionsIn are the language select's options named in language t.
func languageOptionsIn(t language.Tag, current string) []domain.LanguageOption {
	opts := domain.LanguageOptions(current)
	if t == locale.English {
		return opts
	}
	for i := range opts {
		if opts[i].Tag != "" {
			opts[i].Name = languageNameIn(t, opts[i].Tag)
		}
	}
	col := collate.New(t)
	slices.SortStableFunc(opts[1:], func(a, b domain.LanguageOption) int { return col.CompareString(a.Name, b.Name) })
	return opts
}

// NewCatalog builds the portal's messages in every supported language: the
// shared words, the pages' texts, and the field messages that name a label
// or a limit, spelled out for every field.
func NewCatalog() (*locale.Catalog, error) {
	sets := locale.Words()
	for _, m := range []struct {
		tag   language.Tag
		texts map[string]string
	}{{locale.German, messagesDE}, {locale.French, messagesFR}, {locale.Spanish, messagesES}} {
		texts, err := withFieldMessages(m.texts)
		if err != nil {
			return nil, fmt.Errorf("portal: %s messages: %w", m.tag, err)
		}
		sets = append(sets, locale.Set{Lang: m.tag, Texts: texts, Plurals: pluralsFor(m.tag)})
	}
	sets = append(sets, locale.Set{Lang: locale.English, Plurals: pluralsFor(locale.English)})
	return locale.NewCatalog(sets...)
}

// Formats of the field messages that name the field or its limit. The Go
// code formats them in English; the catalogue holds each formatted message.
const (
	fmtUnreadable = "%s contains characters that could not be read; type it again"
	fmtControl    = "%s must not contain control characters such as tabs or line breaks"
	fmtTooLong    = "%s must be %d characters or fewer"
	fmtPwShort    = "Password must be at least %d characters"
	fmtPwLong     = "Password must be %d characters or fewer"
)

// formLabels are the labels cleanInput names in its messages, beyond the
// sign-up fields.
var formLabels = []string{resendEmailLabel, loginLabel, forgotLabel}

// withFieldMessages returns texts plus every formatted field message, each
// built from the language's format and label.
func withFieldMessages(texts map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(texts)+3*len(signupFields))
	for k, v := range texts {
		out[k] = v
	}
	tr := func(k string) (string, error) {
		v, ok := texts[k]
		if !ok {
			return "", fmt.Errorf("no message for %q", k)
		}
		return v, nil
	}
	put := func(format string, label string, args ...any) error {
		f, err := tr(format)
		if err != nil {
			return err
		}
		l, err := tr(label)
		if err != nil {
			return err
		}
		out[fmt.Sprintf(format, append([]any{label}, args...)...)] = fmt.Sprintf(f, append([]any{l}, args...)...)
		return nil
	}
	labels := slices.Clone(formLabels)
	for _, s := range signupFields {
		labels = append(labels, s.label)
		if s.inputType != "select" && s.inputType != "password" {
			if err := put(fmtTooLong, s.label, s.maxLen); err != nil {
				return nil, err
			}
		}
	}
	for _, l := range labels {
		if err := put(fmtUnreadable, l); err != nil {
			return nil, err
		}
		if err := put(fmtControl, l); err != nil {
			return nil, err
		}
	}
	for _, c := range []struct {
		format string
		n      int
	}{{fmtPwShort, PasswordMinLen}, {fmtPwLong, PasswordMaxLen}} {
		f, err := tr(c.format)
		if err != nil {
			return nil, err
		}
		out[fmt.Sprintf(c.format, c.n)] = fmt.Sprintf(f, c.n)
	}
	return out, nil
}
