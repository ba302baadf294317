package locale

import (
	"math"
	"strconv"
	"time"
)

// Words are the messages every part of regdesk shares: durations and dates.
// A package building its catalogue passes them to [NewCatalog] with its own.
func Words() []Set {
	return []Set{
		{Lang: English, Texts: map[string]string{}, Plurals: map[string]Plural{
			"%d minutes": {"%d minute", "%d minutes"},
			"%d hours":   {"%d hour", "%d hours"},
			"%d days":    {"%d day", "%d days"},
		}},
		{Lang: German, Texts: map[string]string{
			"January": "Januar", "February": "Februar", "March": "März", "April": "April",
			"May": "Mai", "June": "Juni", "July": "Juli", "August": "August",
			"September": "September", "October": "Oktober", "November": "November", "December": "Dezember",
			"%[1]s %[2]s %[3]s":  "%[1]s. %[2]s %[3]s",
			"%[1]s at %[2]s UTC": "%[1]s um %[2]s Uhr UTC",
		}, Plurals: map[string]Plural{
			"%d minutes": {"%d Minute", "%d Minuten"},
			"%d hours":   {"%d Stunde", "%d Stunden"},
			"%d days":    {"%d Tag", "%d Tage"},
		}},
		{Lang: French, Texts: map[string]string{
			"January": "janvier", "February": "février", "March": "mars", "April": "avril",
			"May": "mai", "June": "juin", "July": "juillet", "August": "août",
			"September": "septembre", "October": "octobre", "November": "novembre", "December": "décembre",
			"%[1]s %[2]s %[3]s":  "%[1]s %[2]s %[3]s",
			"%[1]s at %[2]s UTC": "%[1]s à %[2]s UTC",
		}, Plurals: map[string]Plural{
			"%d minutes": {"%d minute", "%d minutes"},
			"%d hours":   {"%d heure", "%d heures"},
			"%d days":    {"%d jour", "%d jours"},
		}},
		{Lang: Spanish, Texts: map[string]string{
			"January": "enero", "February": "febrero", "March": "marzo", "April": "abril",
			"May": "mayo", "June": "junio", "July": "julio", "August": "agosto",
			"September": "septiembre", "October": "octubre", "November": "noviembre", "December": "diciembre",
			"%[1]s %[2]s %[3]s":  "%[1]s de %[2]s de %[3]s",
			"%[1]s at %[2]s UTC": "%[1]s a las %[2]s UTC",
		}, Plurals: map[string]Plural{
			"%d minutes": {"%d minuto", "%d minutos"},
			"%d hours":   {"%d hora", "%d horas"},
			"%d days":    {"%d día", "%d días"},
		}},
	}
}

// Duration says d in words, rounded up: whole days beyond two days
// ("3 days"), else hours from one hour ("48 hours"), else minutes. Zero or
// less is "".
func (p *Printer) Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d > 48*time.Hour && d%(24*time.Hour) == 0:
		return p.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return p.Sprintf("%d hours", int(math.Ceil(d.Hours())))
	default:
		return p.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
	}
}

// Date says the day of t (in UTC) the reader's way: "30 November 2026",
// "30. November 2026", "30 novembre 2026", "30 de noviembre de 2026".
func (p *Printer) Date(t time.Time) string {
	t = t.UTC()
	day := strconv.Itoa(t.Day())
	if p.tag == French && t.Day() == 1 {
		day = "1er" // le 1er mars
	}
	// Parts go in as strings: a year is not a number to group ("2.026").
	return p.Sprintf("%[1]s %[2]s %[3]s", day, p.Sprintf(t.Month().String()), strconv.Itoa(t.Year()))
}

// DateTime says the day and time of t in UTC: "30 November 2026 at 14:05 UTC".
func (p *Printer) DateTime(t time.Time) string {
	return p.Sprintf("%[1]s at %[2]s UTC", p.Date(t), t.UTC().Format("15:04"))
}
