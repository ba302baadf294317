package workflow

import (
	"golang.org/x/text/language"

	"github.com/regdesk/regdesk/workflow/locale"
)

// The customers' mails in German, French and Spanish, written in each
// language's business register (Sie, vous, usted). Each is a parameter of
// its own, KEY.LANG (template.activation.de), editable like the English one;
// the approvers' digest stays English.

// localizedTemplates are the template parameters that have a version per language.
var localizedTemplates = []string{ParamTmplActivation, ParamTmplRejection, ParamTmplWelcome,
	ParamTmplPasswordReset, ParamTmplSetPassword, ParamTmplAlreadyKnown, ParamTmplUserRejected}

// TemplateKey is the parameter holding template key in language t: the key
// itself for English, KEY.LANG for the others.
func TemplateKey(key string, t language.Tag) string {
	if t == locale.English {
		return key
	}
	for _, k := range localizedTemplates {
		if k == key {
			return key + "." + t.String()
		}
	}
	return key
}

var defaultTemplates = map[language.Tag]map[string]string{
	locale.German: {
		ParamTmplUserRejected: `Subject: Ihr Zugang für {{.Company}} wurde nicht genehmigt

Guten Tag {{.FirstName}} {{.LastName}},

der für Sie bei {{.Company}} beantragte Zugang {{.Username}} ({{.Number}}) wurde nicht genehmigt.
{{if .Comment}}
{{.Comment}}
{{end}}
Sollten Sie dies für ein Versehen halten, wenden Sie sich bitte an den Administrator Ihres Unternehmens oder antworten Sie auf diese Nachricht und geben Sie die Nummer {{.Number}} an.

Mit freundlichen Grüßen
`,
		ParamTmplActivation: `Subject: Bitte bestätigen Sie Ihre E-Mail-Adresse (Registrierung {{.Number}})

Guten Tag {{.FirstName}} {{.LastName}},

vielen Dank für die Registrierung von {{.Company}}. Ihre Registrierungsnummer lautet {{.Number}}.

Bitte bestätigen Sie Ihre E-Mail-Adresse, indem Sie den folgenden Link öffnen und auf „Aktivieren“ klicken:

{{.Link}}

Der Link kann einmal verwendet werden und ist {{.ExpiresIn}} gültig. Sollten Sie sich nicht registriert haben, betrachten Sie diese Nachricht bitte als gegenstandslos; ohne Ihre Bestätigung geschieht nichts.

Mit freundlichen Grüßen
`,
		ParamTmplRejection: `Subject: Ihre Registrierung {{.Number}} wurde nicht genehmigt

Guten Tag {{.FirstName}} {{.LastName}},

wir haben die Registrierung von {{.Company}} ({{.Number}}) geprüft und können sie leider nicht genehmigen.

Grund: {{.Reason}}
{{if .Comment}}
{{.Comment}}
{{end}}
Sollten Sie dies für ein Versehen halten, antworten Sie bitte auf diese Nachricht und geben Sie die Nummer {{.Number}} an.

Mit freundlichen Grüßen
`,
		ParamTmplWelcome: `Subject: Ihr Zugang für {{.Company}} ist eingerichtet

Guten Tag {{.FirstName}} {{.LastName}},

Ihr Kundenkonto {{.Account}} ist eingerichtet und Ihr Zugang ist bereit.

Benutzername: {{.Username}}
Anmeldung unter: {{.PortalURL}}/login

Bitte verwenden Sie das Passwort, das Sie bei der Registrierung gewählt haben. Falls Sie es vergessen haben, wählen Sie auf der Anmeldeseite „Passwort vergessen?“.

Mit freundlichen Grüßen
`,
		ParamTmplPasswordReset: `Subject: Zurücksetzen Ihres Passworts

Guten Tag {{.FirstName}} {{.LastName}},

für den Zugang {{.Username}} wurde das Zurücksetzen des Passworts angefordert. Über den folgenden Link können Sie ein neues Passwort festlegen:

{{.Link}}

Der Link kann einmal verwendet werden und ist {{.ExpiresIn}} gültig. Falls Sie dies nicht angefordert haben, können Sie diese Nachricht ignorieren; Ihr Passwort bleibt unverändert.

Mit freundlichen Grüßen
`,
		ParamTmplSetPassword: `Subject: Ihr Zugang für {{.Company}}: Bitte legen Sie Ihr Passwort fest

Guten Tag {{.FirstName}} {{.LastName}},

ein Administrator von {{.Company}} hat für Sie einen Zugang eingerichtet.

Benutzername: {{.Username}}

Bitte legen Sie über den folgenden Link Ihr Passwort fest (er kann einmal verwendet werden und ist {{.ExpiresIn}} gültig):

{{.Link}}

Anschließend melden Sie sich unter {{.PortalURL}}/login an.

Mit freundlichen Grüßen
`,
		ParamTmplAlreadyKnown: `Subject: Registrierungsversuch mit Ihrer E-Mail-Adresse

Guten Tag,

soeben wurde versucht, sich mit dieser E-Mail-Adresse zu registrieren – möglicherweise von Ihnen. Die Adresse ist bereits registriert oder befindet sich in Prüfung; eine neue Registrierung wurde daher nicht angelegt.

Falls Sie sich registriert, Ihre Adresse aber noch nicht bestätigt haben, erhalten Sie unter {{.PortalURL}}/activate/resend einen neuen Aktivierungslink.
Falls Sie Ihr Passwort vergessen haben, öffnen Sie {{.PortalURL}}/password/forgot
Falls Sie es nicht waren, können Sie diese Nachricht ignorieren.

Mit freundlichen Grüßen
`,
	},
	locale.French: {
		ParamTmplUserRejected: `Subject: Votre accès pour {{.Company}} n’a pas été approuvé

Bonjour {{.FirstName}} {{.LastName}},

L’accès {{.Username}} demandé pour vous chez {{.Company}} ({{.Number}}) n’a pas été approuvé.
{{if .Comment}}
{{.Comment}}
{{end}}
Si vous pensez qu’il s’agit d’une erreur, adressez-vous à l’administrateur de votre entreprise, ou répondez à ce message en indiquant le numéro {{.Number}}.

Cordialement,
`,
		ParamTmplActivation: `Subject: Confirmez votre adresse e-mail (inscription {{.Number}})

Bonjour {{.FirstName}} {{.LastName}},

Nous vous remercions pour l’inscription de {{.Company}}. Votre numéro d’inscription est le {{.Number}}.

Veuillez confirmer votre adresse e-mail en ouvrant le lien ci-dessous, puis en cliquant sur « Activer » :

{{.Link}}

Ce lien est utilisable une seule fois et reste valable {{.ExpiresIn}}. Si vous n’êtes pas à l’origine de cette inscription, vous pouvez ignorer ce message ; rien ne se passera sans votre confirmation.

Cordialement,
`,
		ParamTmplRejection: `Subject: Votre inscription {{.Number}} n’a pas été acceptée

Bonjour {{.FirstName}} {{.LastName}},

Nous avons examiné l’inscription de {{.Company}} ({{.Number}}) et ne sommes malheureusement pas en mesure de l’accepter.

Motif : {{.Reason}}
{{if .Comment}}
{{.Comment}}
{{end}}
Si vous pensez qu’il s’agit d’une erreur, répondez à ce message en rappelant le numéro {{.Number}}.

Cordialement,
`,
		ParamTmplWelcome: `Subject: Votre accès pour {{.Company}} est prêt

Bonjour {{.FirstName}} {{.LastName}},

Votre compte client {{.Account}} est ouvert et votre accès est prêt.

Identifiant : {{.Username}}
Connexion : {{.PortalURL}}/login

Utilisez le mot de passe choisi lors de votre inscription. Si vous l’avez oublié, choisissez « Mot de passe oublié ? » sur la page de connexion.

Cordialement,
`,
		ParamTmplPasswordReset: `Subject: Réinitialisation de votre mot de passe

Bonjour {{.FirstName}} {{.LastName}},

Une réinitialisation du mot de passe de l’accès {{.Username}} a été demandée. Pour choisir un nouveau mot de passe, ouvrez ce lien :

{{.Link}}

Ce lien est utilisable une seule fois et reste valable {{.ExpiresIn}}. Si vous n’avez rien demandé, ignorez ce message ; votre mot de passe reste inchangé.

Cordialement,
`,
		ParamTmplSetPassword: `Subject: Votre accès pour {{.Company}} : choisissez votre mot de passe

Bonjour {{.FirstName}} {{.LastName}},

Un administrateur de {{.Company}} vous a ouvert un accès.

Identifiant : {{.Username}}

Choisissez votre mot de passe grâce à ce lien (utilisable une seule fois, valable {{.ExpiresIn}}) :

{{.Link}}

Vous pourrez ensuite vous connecter sur {{.PortalURL}}/login

Cordialement,
`,
		ParamTmplAlreadyKnown: `Subject: Tentative d’inscription avec votre adresse e-mail

Bonjour,

Quelqu’un (peut-être vous-même) a tenté de s’inscrire avec cette adresse e-mail, qui est déjà enregistrée ou en cours d’examen. Aucune nouvelle inscription n’a été créée.

Si vous vous êtes inscrit sans avoir encore confirmé votre adresse, demandez un nouveau lien d’activation sur {{.PortalURL}}/activate/resend
Si vous avez oublié votre mot de passe, rendez-vous sur {{.PortalURL}}/password/forgot
Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer ce message.

Cordialement,
`,
	},
	locale.Spanish: {
		ParamTmplUserRejected: `Subject: Su acceso para {{.Company}} no ha sido aprobado

Estimado/a {{.FirstName}} {{.LastName}}:

El acceso {{.Username}} solicitado para usted en {{.Company}} ({{.Number}}) no ha sido aprobado.
{{if .Comment}}
{{.Comment}}
{{end}}
Si cree que se trata de un error, consulte al administrador de su empresa o responda a este mensaje indicando el número {{.Number}}.

Atentamente,
`,
		ParamTmplActivation: `Subject: Confirme su dirección de correo electrónico (registro {{.Number}})

Estimado/a {{.FirstName}} {{.LastName}}:

Le agradecemos el registro de {{.Company}}. Su número de registro es {{.Number}}.

Le rogamos que confirme su dirección de correo electrónico abriendo el siguiente enlace y pulsando «Activar»:

{{.Link}}

El enlace puede usarse una sola vez y es válido durante {{.ExpiresIn}}. Si usted no se ha registrado, puede ignorar este mensaje; sin su confirmación no se realizará ninguna acción.

Atentamente,
`,
		ParamTmplRejection: `Subject: Su registro {{.Number}} no ha sido aprobado

Estimado/a {{.FirstName}} {{.LastName}}:

Hemos revisado el registro de {{.Company}} ({{.Number}}) y lamentamos comunicarle que no podemos aprobarlo.

Motivo: {{.Reason}}
{{if .Comment}}
{{.Comment}}
{{end}}
Si considera que se trata de un error, responda a este mensaje indicando el número {{.Number}}.

Atentamente,
`,
		ParamTmplWelcome: `Subject: Su acceso para {{.Company}} está listo

Estimado/a {{.FirstName}} {{.LastName}}:

Su cuenta de cliente {{.Account}} ya está dada de alta y su acceso está listo.

Nombre de usuario: {{.Username}}
Inicio de sesión: {{.PortalURL}}/login

Utilice la contraseña que eligió al registrarse. Si la ha olvidado, seleccione «¿Ha olvidado su contraseña?» en la página de inicio de sesión.

Atentamente,
`,
		ParamTmplPasswordReset: `Subject: Restablecimiento de su contraseña

Estimado/a {{.FirstName}} {{.LastName}}:

Se ha solicitado restablecer la contraseña del acceso {{.Username}}. Para elegir una nueva contraseña, abra este enlace:

{{.Link}}

El enlace puede usarse una sola vez y es válido durante {{.ExpiresIn}}. Si no ha realizado esta solicitud, ignore este mensaje; su contraseña no cambiará.

Atentamente,
`,
		ParamTmplSetPassword: `Subject: Su acceso para {{.Company}}: elija su contraseña

Estimado/a {{.FirstName}} {{.LastName}}:

Un administrador de {{.Company}} le ha dado de alta un acceso.

Nombre de usuario: {{.Username}}

Elija su contraseña con este enlace (puede usarse una sola vez y es válido durante {{.ExpiresIn}}):

{{.Link}}

A continuación, inicie sesión en {{.PortalURL}}/login

Atentamente,
`,
		ParamTmplAlreadyKnown: `Subject: Intento de registro con su dirección de correo electrónico

Estimado/a cliente:

Alguien (quizá usted) ha intentado registrarse con esta dirección de correo electrónico, que ya está registrada o pendiente de revisión. No se ha creado ningún registro nuevo.

Si se registró pero aún no ha confirmado su dirección, solicite un nuevo enlace de activación en {{.PortalURL}}/activate/resend
Si ha olvidado su contraseña, abra {{.PortalURL}}/password/forgot
Si no ha sido usted, puede ignorar este mensaje.

Atentamente,
`,
	},
}

// localizedParamDefs are the per-language template parameters of def, in
// German, French and Spanish order.
func localizedParamDefs(def ParamDef) []ParamDef {
	var out []ParamDef
	for _, t := range locale.Supported()[1:] {
		src, ok := defaultTemplates[t][def.Key]
		if !ok {
			continue
		}
		out = append(out, ParamDef{Key: TemplateKey(def.Key, t), Default: src,
			Help: def.Help + " (" + languageName(t) + ")", validate: def.validate})
	}
	return out
}

func languageName(t language.Tag) string {
	switch t {
	case locale.German:
		return "German"
	case locale.French:
		return "French"
	case locale.Spanish:
		return "Spanish"
	}
	return "English"
}

// mailCatalog holds the words the mails fill in: durations and the reasons
// for a rejection.
var mailCatalog = mustCatalog(append(locale.Words(),
	locale.Set{Lang: locale.German, Texts: map[string]string{
		"Your company is already registered with us":          "Ihr Unternehmen ist bei uns bereits registriert",
		"The information given is incomplete":                 "Die Angaben sind unvollständig",
		"We could not verify the information given":           "Wir konnten die Angaben nicht überprüfen",
		"Your company is not eligible for a customer account": "Ihr Unternehmen erfüllt die Voraussetzungen für ein Kundenkonto nicht",
		"Other": "Sonstiges",
	}},
	locale.Set{Lang: locale.French, Texts: map[string]string{
		"Your company is already registered with us":          "Votre entreprise est déjà enregistrée chez nous",
		"The information given is incomplete":                 "Les informations fournies sont incomplètes",
		"We could not verify the information given":           "Nous n’avons pas pu vérifier les informations fournies",
		"Your company is not eligible for a customer account": "Votre entreprise ne remplit pas les conditions d’ouverture d’un compte client",
		"Other": "Autre motif",
	}},
	locale.Set{Lang: locale.Spanish, Texts: map[string]string{
		"Your company is already registered with us":          "Su empresa ya está registrada con nosotros",
		"The information given is incomplete":                 "Los datos facilitados están incompletos",
		"We could not verify the information given":           "No hemos podido verificar los datos facilitados",
		"Your company is not eligible for a customer account": "Su empresa no cumple los requisitos para abrir una cuenta de cliente",
		"Other": "Otro motivo",
	}},
)...)

func mustCatalog(sets ...locale.Set) *locale.Catalog {
	c, err := locale.NewCatalog(sets...)
	if err != nil {
		panic(err) // the sets above are fixed; a test builds them
	}
	return c
}
