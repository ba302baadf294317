package workflow

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
)

// Parameter keys: the customer self-service parameters.
const (
	ParamSeqRegistration   = "sequence.registration"
	ParamSeqCustomer       = "sequence.customer"
	ParamSeqUserRequest    = "sequence.user_request"
	ParamWorkflowEnabled   = "workflow.enabled"
	ParamApproveUserStep   = "workflow.approve_user_request"
	ParamApprovePortalUser = "workflow.approve_portal_users"
	ParamNotifyStep        = "workflow.notify_new_user"
	ParamMaxAttempts       = "workflow.max_attempts"
	ParamBaseURL           = "portal.base_url"
	ParamMailFrom          = "mail.from"
	ParamActivationTTL     = "link.activation_ttl"
	ParamResetTTL          = "link.password_reset_ttl"
	ParamUnverifiedTTL     = "request.unverified_lifetime"
	ParamRejectedRetention = "request.rejected_retention"
	ParamDefaultRole       = "user.default_role"
	ParamDefaultTemplate   = "customer.default_template"
	ParamSignupPerAddress  = "signup.per_address_per_hour"
	ParamSignupPerIP       = "signup.per_ip_per_hour"
	ParamMaxUnverified     = "signup.max_unverified"
	ParamChallengeFrom     = "signup.challenge_from"
	ParamChallengeBits     = "signup.challenge_bits"
	ParamChallengeWait     = "signup.challenge_wait"
	ParamSignupPerDomain   = "signup.per_domain_per_hour"
	ParamRejectReasons     = "reject.reasons"
	ParamDigestInterval    = "notify.digest_interval"
	ParamSessionIdle       = "session.idle_timeout"
	ParamSessionAbsolute   = "session.absolute_timeout"
	ParamTmplActivation    = "template.activation"
	ParamTmplRejection     = "template.rejection"
	ParamTmplWelcome       = "template.welcome"
	ParamTmplPasswordReset = "template.password_reset"
	ParamTmplSetPassword   = "template.set_password"
	ParamTmplAlreadyKnown  = "template.already_registered"
	ParamTmplDigest        = "template.digest"
	ParamAdminTwoFactor    = "security.admin_two_factor"
	ParamTermsVersion      = "terms.version"
	ParamTermsURL          = "terms.url"
	ParamTmplUserRejected  = "template.user_request_rejected"
)

// ParamDef describes one parameter: its default, what it means, and what it accepts.
type ParamDef struct {
	Key      string
	Default  string
	Help     string
	validate func(string) error
}

// operatorOnly parameters decide where every mail's links point and who
// mail claims to be from: only the operator, with the command line on the
// server, sets them; approvers in the TUI see them but cannot change them.
var operatorOnly = map[string]bool{ParamBaseURL: true, ParamMailFrom: true}

// OperatorOnly reports whether only the operator may set the parameter.
func (d ParamDef) OperatorOnly() bool { return operatorOnly[d.Key] }

// Validate reports why value is not acceptable, or nil.
func (d ParamDef) Validate(value string) error {
	if d.validate == nil {
		return nil
	}
	return d.validate(value)
}

// ParamDefs lists every parameter in display order.
func ParamDefs() []ParamDef {
	defs := []ParamDef{
		{ParamSeqRegistration, "REG-{000000}", "format of registration numbers", validFormat},
		{ParamSeqCustomer, "C{00000}", "format of customer account numbers", validFormat},
		{ParamSeqUserRequest, "UR-{000000}", "format of user request numbers", validFormat},
		{ParamWorkflowEnabled, "true", "submit a user request to the workflow at Create", validBool},
		{ParamApproveUserStep, "false", "workflow step: a second approver approves each user request", validBool},
		{ParamApprovePortalUser, "true", "workflow step: an approver approves each user a customer administrator adds", validBool},
		{ParamNotifyStep, "true", "workflow step: email the new user their logon information", validBool},
		{ParamMaxAttempts, "8", "attempts per workflow step before the user request fails", validIntRange(1, 50)},
		{ParamBaseURL, "", "public portal URL used in links (empty: from serve --base-url)", validBaseURL},
		{ParamMailFrom, "regdesk <no-reply@regdesk.localhost>", "sender of every email", validFrom},
		{ParamActivationTTL, "48h", "lifetime of an activation link", validDuration(time.Minute, 30*24*time.Hour)},
		{ParamResetTTL, "1h", "lifetime of a password reset link", validDuration(5*time.Minute, 24*time.Hour)},
		{ParamUnverifiedTTL, "336h", "unverified requests expire after this", validDuration(time.Hour, 365*24*time.Hour)},
		{ParamRejectedRetention, "2160h", "rejected requests are purged after this", validDuration(time.Hour, 10*365*24*time.Hour)},
		{ParamDefaultRole, store.RoleCustomerUser, "user role proposed at Create", validRole},
		{ParamDefaultTemplate, "STANDARD", "customer account template proposed at Create", validCode},
		{ParamSignupPerAddress, "3", "sign-ups allowed per email address per hour", validIntRange(1, 1000)},
		{ParamSignupPerIP, "20", "sign-ups allowed per client address per hour", validIntRange(1, 100000)},
		{ParamMaxUnverified, "10000", "cap on unverified requests: near it a sign-up must pass a challenge, at twice it sign-up is paused", validIntRange(1, 10000000)},
		{ParamChallengeFrom, "50", "percentage of signup.max_unverified from which a sign-up must pass a proof-of-work challenge", validIntRange(1, 100)},
		{ParamChallengeBits, "16", "difficulty of that challenge in bits (16: about a second in a browser; each bit doubles it; 2 more at the cap)", validIntRange(8, 22)},
		{ParamChallengeWait, "20s", "without JavaScript, a challenged sign-up form may be sent after this wait", validDuration(5*time.Second, 5*time.Minute)},
		{ParamSignupPerDomain, "30", "sign-ups allowed per email domain per hour (free-mail domains: ten times as many)", validIntRange(1, 100000)},
		{ParamRejectReasons, "duplicate,incomplete,unverifiable,not_eligible,other", "reason codes for rejections", validCodes},
		{ParamDigestInterval, "15m", "approvers' digest of newly verified requests, at most this often", validDuration(time.Minute, 7*24*time.Hour)},
		{ParamSessionIdle, "30m", "a customer session ends after this long idle", validDuration(time.Minute, 7*24*time.Hour)},
		{ParamSessionAbsolute, "12h", "a customer session ends this long after login", validDuration(time.Minute, 30*24*time.Hour)},
		{ParamAdminTwoFactor, "false", "customer self-service administrators must use two-step login (an authenticator app)", validBool},
		{ParamTermsVersion, "", "version of the terms and conditions a sign-up must accept (empty: none asked)", validTermsVersion},
		{ParamTermsURL, "", "public http(s) URL of those terms; needed when terms.version is set", validTermsURL},
		{ParamTmplActivation, defaultActivationTemplate, "email: activation link", validUnverifiedTemplate},
		{ParamTmplRejection, defaultRejectionTemplate, "email: request rejected", validTemplate},
		{ParamTmplWelcome, defaultWelcomeTemplate, "email: welcome with logon information", validTemplate},
		{ParamTmplPasswordReset, defaultPasswordResetTemplate, "email: password reset link", validTemplate},
		{ParamTmplSetPassword, defaultSetPasswordTemplate, "email: set your password (users added by an administrator)", validTemplate},
		{ParamTmplAlreadyKnown, defaultAlreadyRegisteredTemplate, "email: sign-up for an address already registered", validUnverifiedTemplate},
		{ParamTmplDigest, defaultDigestTemplate, "email: approvers' digest of newly verified requests", validTemplate},
		{ParamTmplUserRejected, defaultUserRejectedTemplate, "email: user request rejected (to the contact)", validTemplate},
	}
	// Each customer mail's template in German, French and Spanish follows its English one.
	out := make([]ParamDef, 0, len(defs)+3*len(localizedTemplates))
	for _, d := range defs {
		out = append(out, d)
		out = append(out, localizedParamDefs(d)...)
	}
	return out
}

// ParamDefByKey returns the definition of key.
func ParamDefByKey(key string) (ParamDef, bool) {
	for _, d := range ParamDefs() {
		if d.Key == key {
			return d, true
		}
	}
	return ParamDef{}, false
}

// Param is a parameter's effective value.
type Param struct {
	ParamDef
	Value     string
	IsDefault bool
	UpdatedAt time.Time
	UpdatedBy string
}

// Params are the effective parameter values: stored ones over defaults.
type Params struct{ values map[string]string }

// LoadParams reads the parameters.
func LoadParams(ctx context.Context, q *store.Queries) (Params, error) {
	stored, err := q.Params(ctx)
	if err != nil {
		return Params{}, err
	}
	p := Params{values: map[string]string{}}
	for _, d := range ParamDefs() {
		p.values[d.Key] = d.Default
		if s, ok := stored[d.Key]; ok {
			p.values[d.Key] = s.Value
		}
	}
	return p, nil
}

// ListParams returns every parameter with its effective value, in display order.
func ListParams(ctx context.Context, q *store.Queries) ([]Param, error) {
	stored, err := q.Params(ctx)
	if err != nil {
		return nil, err
	}
	var out []Param
	for _, d := range ParamDefs() {
		p := Param{ParamDef: d, Value: d.Default, IsDefault: true}
		if s, ok := stored[d.Key]; ok {
			p.Value, p.IsDefault, p.UpdatedAt, p.UpdatedBy = s.Value, false, s.UpdatedAt, s.UpdatedBy
		}
		out = append(out, p)
	}
	return out, nil
}

// String is a parameter's value.
func (p Params) String(key string) string { return p.values[key] }

// Bool is a boolean parameter; values were validated when set.
func (p Params) Bool(key string) bool { b, _ := strconv.ParseBool(p.values[key]); return b }

// Int is an integer parameter.
func (p Params) Int(key string) int { n, _ := strconv.Atoi(p.values[key]); return n }

// Duration is a duration parameter.
func (p Params) Duration(key string) time.Duration {
	d, _ := time.ParseDuration(p.values[key])
	return d
}

// RejectReasons are the configured rejection reason codes.
func (p Params) RejectReasons() []string { return splitCodes(p.values[ParamRejectReasons]) }

// ParamError is a refused parameter value.
type ParamError struct {
	Key    string
	Reason string
}

func (e *ParamError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("unknown parameter %q (see regdesk params show)", e.Key)
	}
	return fmt.Sprintf("parameter %s: %s", e.Key, e.Reason)
}

func validBool(v string) error {
	if _, err := strconv.ParseBool(v); err != nil {
		return errors.New("want true or false")
	}
	return nil
}

func validIntRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("want a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

func validDuration(lo, hi time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return errors.New(`want a duration such as "48h" or "15m"`)
		}
		if d < lo || d > hi {
			return fmt.Errorf("want a duration from %s to %s", lo, hi)
		}
		return nil
	}
}

func validBaseURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("want an absolute http(s) URL such as https://portal.example.com")
	}
	return nil
}

var termsVersionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

func validTermsVersion(v string) error {
	if v != "" && !termsVersionRE.MatchString(v) {
		return errors.New(`want a short version such as "2026-11" or "v3" (letters, digits, . _ -; at most 32)`)
	}
	return nil
}

func validTermsURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(v) > 500 {
		return errors.New("want an absolute http(s) URL such as https://www.example.com/terms")
	}
	return nil
}

// Terms returns the terms a sign-up must accept, or ok false when none are
// asked for (no version or no URL set).
func (p Params) Terms() (version, url string, ok bool) {
	version, url = p.values[ParamTermsVersion], p.values[ParamTermsURL]
	return version, url, version != "" && url != ""
}

func validFrom(v string) error {
	a, err := mail.ParseAddress(v)
	if err != nil || !strings.Contains(a.Address, "@") {
		return errors.New(`want an address such as "Example <no-reply@example.com>"`)
	}
	return nil
}

func validRole(v string) error {
	if v != store.RoleCustomerUser && v != store.RoleCustomerAdmin {
		return fmt.Errorf("want %s or %s", store.RoleCustomerUser, store.RoleCustomerAdmin)
	}
	return nil
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

func validCode(v string) error {
	if !codeRE.MatchString(v) {
		return errors.New("want a code of letters, digits, _ or - (at most 32)")
	}
	return nil
}

func splitCodes(v string) []string {
	var out []string
	for _, c := range strings.Split(v, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func validCodes(v string) error {
	codes := splitCodes(v)
	if len(codes) == 0 {
		return errors.New("want at least one reason code, separated by commas")
	}
	for i, c := range codes {
		if err := validCode(c); err != nil {
			return fmt.Errorf("reason %q: %w", c, err)
		}
		if slices.Contains(codes[:i], c) {
			return fmt.Errorf("reason %q is listed twice", c)
		}
	}
	return nil
}
