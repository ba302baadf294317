package portal

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// pageState is one page in one of its states: what the catalogue walk and
// the accessibility check render in every language.
type pageState struct {
	label  string // unique, for messages and file names: "login/notice-logout"
	name   string // the template
	status int
	page   any
}

// pageStates lists every page in every state it can be shown in: each page
// as a visitor first sees it, every form with every message it can give,
// every notice, error status, link problem and user-request status.
func pageStates() []pageState {
	var all []pageState
	add := func(label, name string, status int, page any) {
		all = append(all, pageState{label: label, name: name, status: status, page: page})
	}
	for name, s := range samplePages() {
		add(name, name, s.status, s.page)
	}
	add("signup/errors", PageSignup, 422, errorSignupPage())
	add("signup/terms", PageSignup, 200, SignupPage{Terms: &Terms{Version: "2026-03", URL: "/terms"}})
	terms := errorSignupPage()
	terms.Terms = &Terms{Version: "2026-03", URL: "/terms"}
	terms.Errors = AddSignupError(terms.Errors, FieldTerms, workflow.MsgTermsMissing)
	add("signup/terms-errors", PageSignup, 422, terms)
	for _, status := range []int{400, 403, 405, 413, 500, 503} {
		add(fmt.Sprintf("error/%d", status), PageError, status, ErrorPage{Status: status, RequestID: "abc"})
	}
	for _, problem := range []LinkProblem{LinkInvalid, LinkExpired, LinkUsed} {
		add(fmt.Sprintf("reset_invalid/%s", problem), PageResetInvalid, 410, ResetInvalidPage{Problem: problem})
	}
	for _, problem := range []LinkProblem{LinkInvalid, LinkExpired, LinkUsed, LinkUsernameGone, LinkReplaced, LinkSignupReplaced, LinkSignupExpired} {
		add(fmt.Sprintf("activate_invalid/%s", problem), PageActivateInvalid, 410, ActivateInvalidPage{Problem: problem,
			LinkLifetime: LinkLifetime(3600e9), RequestLifetime: LinkLifetime(14 * 24 * 3600e9)})
	}
	for key := range notices {
		add("login/notice-"+key, PageLogin, 200, LoginPage{Notice: noticeFor(key)})
	}
	for _, st := range []string{"draft", "submitted", "pending_approval", "provisioned", "failed", "rejected", "canceled"} {
		add("account_users/pending-"+st, PageAccountUsers, 200, UsersPage{Company: "X",
			Pending: []PendingRow{{Number: "UR-1", Status: domain.UserRequestStatus(st)}}})
	}
	// The workflow's refusals that name a user, as the users page shows them.
	for _, fe := range []*workflow.FieldError{
		{Field: "user", Message: "babbage is already inactive.", Format: workflow.MsgAlreadyInactive, Args: []any{"babbage"}},
		{Field: "user", Message: "babbage is already active.", Format: workflow.MsgAlreadyActive, Args: []any{"babbage"}},
		{Field: "user", Message: "You cannot inactivate your own login."},
		{Field: "user_request", Message: workflow.MsgAlreadyDealt},
	} {
		add("account_users/refused-"+strings.Fields(fe.Message)[len(strings.Fields(fe.Message))-1], PageAccountUsers, 422,
			UsersPage{Nav: Nav{Username: "ada", Admin: true, Current: "users"}, Company: "X", Errors: FieldErrors{fromWorkflow(fe, "users", "Users")}})
	}
	nav := Nav{Username: "ada", Admin: true}
	enrol := SecurityPage{Nav: nav, Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", QR: "data:image/png;base64,AAAA"}
	add("account_security/enrol", PageAccountSecurity, 200, enrol)
	for _, e := range []error{workflow.ErrCodeFormat, workflow.ErrCodeWrong, workflow.ErrCodeUsed, workflow.ErrNotEnrolling, workflow.ErrSecretUnreadable} {
		fe := FieldErrors{{Field: FieldCode, Label: codeLabel, Message: codeMessage(e)}}
		en := enrol
		en.EnableErrors, en.Required, en.Notice = fe, true, noticeFor("required")
		slug := strings.ReplaceAll(strings.Fields(e.Error())[len(strings.Fields(e.Error()))-1], ":", "")
		add("account_security/enrol-error-"+slug, PageAccountSecurity, 422, en)
		add("login_code/error-"+slug, PageLoginCode, 422, CodePage{Errors: fe})
	}
	on := SecurityPage{Nav: nav, Status: workflow.TwoFactorStatus{Enabled: true, RecoveryCodes: 1},
		DisableErrors: FieldErrors{{Field: FieldCurrentPassword, Label: "Password", Message: "Your password is wrong; type it again"},
			{Field: FieldCode, Label: codeLabel, Message: codeMessage(workflow.ErrCodeUsed)}}}
	add("account_security/disable-errors", PageAccountSecurity, 422, on)
	on.Required, on.DisableErrors = true, nil
	add("account_security/on-required", PageAccountSecurity, 200, on)
	add("account_security/recovery-codes", PageAccountSecurity, 200, SecurityPage{Nav: nav, Status: on.Status,
		RecoveryCodes: []string{"abcde-fghij", "klmno-pqrst", "uvwxy-z2345"}})
	add("account_security/no-recovery-codes", PageAccountSecurity, 200, SecurityPage{Nav: nav,
		Status: workflow.TwoFactorStatus{Enabled: true, RecoveryCodes: 0}})
	add("account_security/disable-password", PageAccountSecurity, 422, SecurityPage{Nav: nav, Status: on.Status,
		DisableErrors: FieldErrors{{Field: FieldCurrentPassword, Label: "Password", Message: "Enter your password"}}})
	for i, v := range []url.Values{{}, {FieldUsername: {"\xff"}}} {
		lf := ParseLoginForm(v)
		add(fmt.Sprintf("login/errors-%d", i), PageLogin, 422, LoginPage{Form: lf, Errors: lf.Validate()})
		ff := ParseForgotForm(url.Values{FieldLogin: v[FieldUsername]})
		add(fmt.Sprintf("forgot/errors-%d", i), PageForgot, 422, ForgotPage{Form: ff, Errors: ff.Validate()})
		rf := ParseResendForm(url.Values{FieldEmail: v[FieldUsername]})
		add(fmt.Sprintf("resend/errors-%d", i), PageResend, 422, ResendPage{Resend: rf, Errors: rf.Validate()})
	}
	slices.SortFunc(all, func(a, b pageState) int { return strings.Compare(a.label, b.label) })
	return all
}
