// Package locale holds the languages regdesk speaks to customers and the
// machinery to speak them: matching a browser's or a record's language to
// one of them, catalogues of messages keyed by their English text, plural
// forms, and dates and durations in each reader's format.
//
// Messages are keyed by the English text (or fmt format) itself, so English
// needs no catalogue entry except for plural forms, and a page reads the
// same in English whether or not a message is catalogued. Other languages
// must have every message: [Catalog.Missing] lists the gaps and the portal's
// tests render every page in every language with [Printer.Strict] on.
package locale

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The languages regdesk speaks. English comes first: it is the fallback.
var (
	English = language.English
	German  = language.German
	French  = language.French
	Spanish = language.Spanish
)

// Supported returns the languages regdesk speaks, English first.
func Supported() []language.Tag { return []language.Tag{English, German, French, Spanish} }

var matcher = language.NewMatcher(Supported())

// Match returns the supported language that best fits the first usable
// preference: each is an Accept-Language header value or a BCP 47 tag, such
// as a record's language ("de-AT" gives German). Without a usable one it
// returns English.
func Match(prefs ...string) language.Tag {
	for _, p := range prefs {
		if p = strings.TrimSpace(p); p == "" || len(p) > 512 {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil || len(tags) == 0 {
			continue
		}
		if _, i, conf := matcher.Match(tags...); conf != language.No {
			return Supported()[i]
		}
	}
	return English
}

// Parse returns the supported language named exactly by s ("de"), for a
// choice made in the language switcher.
func Parse(s string) (language.Tag, bool) {
	for _, t := range Supported() {
		if t.String() == s {
			return t, true
		}
	}
	return language.Und, false
}

// Plural is a message whose words depend on a count, given as the first
// argument. One is for the singular category of the language (in French
// also 0), Other for the rest; both are fmt formats.
type Plural struct{ One, Other string }

// Set is one language's messages: plain texts and plural forms, keyed by
// the English text or format.
type Set struct {
	Lang    language.Tag
	Texts   map[string]string
	Plurals map[string]Plural
}

// Catalog holds the messages of every supported language. It is read-only
// once built and safe for concurrent use.
type Catalog struct {
	b       *catalog.Builder
	keys    map[language.Tag]map[string]bool
	plurals map[string]bool // keys that have plural forms in some language
}

// NewCatalog builds a catalogue from sets; several sets may add to one
// language (shared words and a package's own).
func NewCatalog(sets ...Set) (*Catalog, error) {
	c := &Catalog{b: catalog.NewBuilder(catalog.Fallback(English)), keys: map[language.Tag]map[string]bool{},
		plurals: map[string]bool{}}
	for _, t := range Supported() {
		c.keys[t] = map[string]bool{}
	}
	for _, s := range sets {
		keys, ok := c.keys[s.Lang]
		if !ok {
			return nil, fmt.Errorf("locale: %s is not a supported language", s.Lang)
		}
		for k, v := range s.Texts {
			if err := c.b.SetString(s.Lang, k, v); err != nil {
				return nil, fmt.Errorf("locale: %s %q: %w", s.Lang, k, err)
			}
			keys[k] = true
		}
		for k, v := range s.Plurals {
			msg := plural.Selectf(1, "%d", plural.One, v.One, plural.Other, v.Other)
			if err := c.b.Set(s.Lang, k, msg); err != nil {
				return nil, fmt.Errorf("locale: %s %q: %w", s.Lang, k, err)
			}
			keys[k], c.plurals[k] = true, true
		}
	}
	return c, nil
}

// Missing lists, per language, the keys that another language has and this
// one lacks, sorted. English is only held to the plural forms, since its
// plain texts are their own keys. An empty map means every language is
// complete.
func (c *Catalog) Missing() map[language.Tag][]string {
	all := map[string]bool{}
	for _, keys := range c.keys {
		for k := range keys {
			all[k] = true
		}
	}
	out := map[language.Tag][]string{}
	for _, t := range Supported() {
		for k := range all {
			if c.keys[t][k] || t == English && !c.plurals[k] {
				continue
			}
			out[t] = append(out[t], k)
		}
		slices.Sort(out[t])
		if len(out[t]) == 0 {
			delete(out, t)
		}
	}
	return out
}

// Keys returns the keys catalogued for t, sorted.
func (c *Catalog) Keys(t language.Tag) []string {
	out := make([]string, 0, len(c.keys[t]))
	for k := range c.keys[t] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Printer returns the printer of language t (English for an unsupported one).
func (c *Catalog) Printer(t language.Tag) *Printer {
	if _, ok := c.keys[t]; !ok {
		t = English
	}
	return &Printer{tag: t, p: message.NewPrinter(t, message.Catalog(c.b)), keys: c.keys[t]}
}

// Printer formats messages in one language.
type Printer struct {
	tag  language.Tag
	p    *message.Printer
	keys map[string]bool
}

// Tag is the printer's language.
func (p *Printer) Tag() language.Tag { return p.tag }

// Has reports whether key is catalogued for the printer's language; English
// has every key.
func (p *Printer) Has(key string) bool { return p.tag == English || p.keys[key] }

// Sprintf formats the message key with args in the printer's language,
// falling back to the English key itself when the message is missing.
// Numbers are formatted the language's way.
func (p *Printer) Sprintf(key string, args ...any) string { return p.p.Sprintf(key, args...) }

// Strict is Sprintf that fails on a missing message instead of falling back,
// for tests that prove a language complete.
func (p *Printer) Strict(key string, args ...any) (string, error) {
	if !p.Has(key) {
		return "", fmt.Errorf("locale: no %s message for %q", p.tag, key)
	}
	return p.p.Sprintf(key, args...), nil
}
