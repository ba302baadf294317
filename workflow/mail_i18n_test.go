package workflow

import (
	"context"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/workflow/locale"
)

func TestMail_inTheReadersLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	signUp := func(lang string) SignupResult {
		in := f.input()
		in.Language = lang
		res, err := f.svc.SignUp(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	lastMail := func(kind string) (subject, text, html string) {
		ms := f.mailsOf(kind)
		if len(ms) == 0 {
			t.Fatalf("no %s mail", kind)
		}
		m := ms[0]
		for _, x := range ms {
			if x.ID > m.ID {
				m = x
			}
		}
		return m.Subject, m.Text, m.HTML
	}

	signUp("de-AT")
	subj, text, html := lastMail("activation")
	if !strings.HasPrefix(subj, "Bitte bestätigen Sie Ihre E-Mail-Adresse") || !strings.Contains(text, "ist 48 Stunden gültig") ||
		!strings.Contains(text, "Guten Tag Ada Lovelace,") || !strings.Contains(html, `<html lang="de">`) {
		t.Errorf("German activation mail:\n%s\n%s", subj, text)
	}

	r := signUp("fr-CA")
	if _, err := f.svc.Activate(ctx, r.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reject(ctx, Action{Number: r.Number, Actor: "alice"}, "incomplete", "Merci d’ajouter votre numéro de TVA."); err != nil {
		t.Fatal(err)
	}
	subj, text, html = lastMail("rejection")
	if subj != "Votre inscription "+r.Number+" n’a pas été acceptée" ||
		!strings.Contains(text, "Motif\u00a0: Les informations fournies sont incomplètes") ||
		!strings.Contains(text, "Merci d’ajouter votre numéro de TVA.") || !strings.Contains(html, `<html lang="fr">`) {
		t.Errorf("French rejection mail:\n%s\n%s", subj, text)
	}

	// A language regdesk does not write, or none: English.
	for _, lang := range []string{"pt-BR", ""} {
		signUp(lang)
		if subj, text, _ := lastMail("activation"); !strings.HasPrefix(subj, "Confirm your email address") ||
			!strings.Contains(text, "expires in 48 hours") {
			t.Errorf("%q: %s\n%s", lang, subj, text)
		}
	}

	// The Spanish template is a parameter of its own, edited like the English one.
	custom := "Subject: Registro {{.Number}}\n\nHola, {{.Link}} ({{.ExpiresIn}})\n"
	if err := f.svc.SetParam(ctx, TemplateKey(ParamTmplActivation, locale.Spanish), custom, "alice"); err != nil {
		t.Fatal(err)
	}
	signUp("es")
	if subj, text, _ := lastMail("activation"); !strings.HasPrefix(subj, "Registro REG-") || !strings.Contains(text, "(48 horas)") {
		t.Errorf("edited Spanish template: %s\n%s", subj, text)
	}
	// A Spanish template with the prospect's company in the subject is refused like the English one.
	if err := f.svc.SetParam(ctx, "template.activation.es", "Subject: {{.Company}}\n\nHola\n", "alice"); err == nil {
		t.Error("the Spanish activation template took typed text into its subject")
	}
}

func TestParamDefs_mailTemplatesPerLanguage(t *testing.T) {
	for _, key := range localizedTemplates {
		for _, tag := range locale.Supported() {
			k := TemplateKey(key, tag)
			d, ok := ParamDefByKey(k)
			if !ok {
				t.Errorf("no parameter %s", k)
				continue
			}
			if err := d.Validate(d.Default); err != nil {
				t.Errorf("%s: the default is refused: %v", k, err)
			}
			m, err := RenderMail(d.Default, MailData{FirstName: "Ada", LastName: "Lovelace", Company: "Contoso",
				Number: "REG-000042", Username: "ada", Link: "https://p.example/x", PortalURL: "https://p.example",
				ExpiresIn: "x", Reason: "y", lang: tag.String()})
			if err != nil || !strings.Contains(m.HTML, `<html lang="`+tag.String()+`">`) {
				t.Errorf("%s: %v", k, err)
			}
		}
	}
	if TemplateKey(ParamTmplDigest, locale.German) != ParamTmplDigest {
		t.Error("the approvers' digest has no German version")
	}
	if _, ok := ParamDefByKey("template.digest.de"); ok {
		t.Error("a German digest parameter exists")
	}
	if m := mailCatalog.Missing(); len(m) != 0 {
		t.Errorf("mail words missing: %v", m)
	}
}
