package locale

import (
	"testing"
	"time"

	"golang.org/x/text/language"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		prefs []string
		want  language.Tag
	}{
		{[]string{"de-DE,de;q=0.9,en;q=0.8"}, German},
		{[]string{"fr-CA"}, French},
		{[]string{"es-419,es;q=0.9"}, Spanish},
		{[]string{"pt-BR,pt;q=0.9"}, English},
		{[]string{"", "de-AT"}, German},
		{[]string{"not a tag!!", "fr"}, French},
		{[]string{"en-GB,de;q=0.5"}, English},
		{[]string{"da, de;q=0.7"}, German},
		{nil, English},
	} {
		if got := Match(c.prefs...); got != c.want {
			t.Errorf("Match(%q) = %s, want %s", c.prefs, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"en", "de", "fr", "es"} {
		if tag, ok := Parse(s); !ok || tag.String() != s {
			t.Errorf("Parse(%q) = %s, %t", s, tag, ok)
		}
	}
	for _, s := range []string{"", "it", "de-DE", "DE", "<script>"} {
		if _, ok := Parse(s); ok {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestPrinter_DurationAndDate(t *testing.T) {
	c, err := NewCatalog(Words()...)
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Missing(); len(m) != 0 {
		t.Fatalf("missing shared words: %v", m)
	}
	day := time.Date(2026, 11, 30, 14, 5, 0, 0, time.UTC)
	for _, c2 := range []struct {
		tag                   language.Tag
		one, many, days, date string
	}{
		{English, "1 hour", "48 hours", "3 days", "30 November 2026"},
		{German, "1 Stunde", "48 Stunden", "3 Tage", "30. November 2026"},
		{French, "1 heure", "48 heures", "3 jours", "30 novembre 2026"},
		{Spanish, "1 hora", "48 horas", "3 días", "30 de noviembre de 2026"},
	} {
		p := c.Printer(c2.tag)
		got := []string{p.Duration(time.Hour), p.Duration(48 * time.Hour), p.Duration(72 * time.Hour), p.Date(day)}
		want := []string{c2.one, c2.many, c2.days, c2.date}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %q, want %q", c2.tag, got[i], want[i])
			}
		}
	}
	if got := c.Printer(German).DateTime(day); got != "30. November 2026 um 14:05 Uhr UTC" {
		t.Errorf("German date and time = %q", got)
	}
	if got := c.Printer(English).Duration(90 * time.Second); got != "2 minutes" {
		t.Errorf("90s = %q, want rounded up to 2 minutes", got)
	}
	if got := c.Printer(French).Date(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); got != "1er mars 2026" {
		t.Errorf("French first of the month = %q", got)
	}
	// French puts 0 with the singular.
	if got := c.Printer(French).Sprintf("%d days", 0); got != "0 jour" {
		t.Errorf("French 0 days = %q", got)
	}
}

func TestCatalog_Missing(t *testing.T) {
	c, err := NewCatalog(Set{Lang: German, Texts: map[string]string{"Log in": "Anmelden"}},
		Set{Lang: French, Texts: map[string]string{"Log in": "Se connecter", "Sign up": "S’inscrire"}},
		Set{Lang: Spanish, Plurals: map[string]Plural{"%d users": {"%d usuario", "%d usuarios"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := c.Missing()
	if got := m[German]; len(got) != 2 || got[0] != "%d users" || got[1] != "Sign up" {
		t.Errorf("German missing %q", got)
	}
	if got := m[English]; len(got) != 1 || got[0] != "%d users" {
		t.Errorf("English is held to plural forms only; missing %q", got)
	}
	p := c.Printer(German)
	if _, err := p.Strict("Sign up"); err == nil {
		t.Error("Strict accepted a missing message")
	}
	if got := p.Sprintf("Sign up"); got != "Sign up" {
		t.Errorf("fallback = %q", got)
	}
	if _, err := NewCatalog(Set{Lang: language.Italian}); err == nil {
		t.Error("an unsupported language was accepted")
	}
}
