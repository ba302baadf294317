package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// SignupInput is a sign-up. SignUp checks the fields with the request field
// rules whoever calls it; the caller hashes the password (the plain password
// never reaches the workflow).
type SignupInput struct {
	CompanyName, TaxID, Street, City, State, PostalCode, Country string
	FirstName, LastName, JobTitle, Email, Phone, Language        string
	Username, PasswordHash                                       string
	SourceIP                                                     string
	// TermsVersion is the version of the terms the prospect accepted; it
	// must be the current one (parameter terms.version) when that is set.
	TermsVersion string
	// Challenge and ChallengeAnswer are the sign-up form's challenge and
	// its answer (empty: sent after the wait), needed near the cap.
	Challenge, ChallengeAnswer string
}

// Messages for terms that were not accepted.
const (
	MsgTermsMissing = "Accept the terms and conditions to sign up"
	MsgTermsChanged = "The terms and conditions have changed; read them and accept the current version"
)

// checkTerms refuses a sign-up that did not accept the current terms, and
// returns the version to record ("" when no terms are asked for).
func checkTerms(p Params, accepted string) (string, error) {
	version, _, ok := p.Terms()
	switch {
	case !ok:
		return "", nil
	case accepted == "":
		return "", &FieldError{Field: "terms", Message: MsgTermsMissing}
	case accepted != version:
		return "", &FieldError{Field: "terms", Message: MsgTermsChanged}
	}
	return version, nil
}

// SignupResult is what SignUp did. The portal shows the same page whatever
// it is, so nobody learns whether an address was known.
type SignupResult struct {
	Number string // empty when the address was already registered
	Token  string // the activation token mailed to the prospect
}

// SignUp stores a customer request as requested and queues the activation
// mail, in one transaction. A sign-up for an address that is registered
// already makes no request; that address gets a note instead (at most one an hour).
//
// Whoever controls the mailbox decides: a sign-up for an address whose
// earlier request nobody confirmed replaces that request (it expires and its
// links stop working, with an audit row), so nobody can claim an address
// ahead of its owner and wait for them to activate the wrong request.
func (s *Service) SignUp(ctx context.Context, in SignupInput) (SignupResult, error) {
	r := store.Request{Status: domain.Requested, CompanyName: in.CompanyName,
		TaxID: in.TaxID, Street: in.Street, City: in.City, State: in.State,
		PostalCode: in.PostalCode, Country: in.Country, FirstName: in.FirstName,
		LastName: in.LastName, JobTitle: in.JobTitle, Email: in.Email, Phone: in.Phone,
		Language: in.Language, Username: in.Username, PasswordHash: in.PasswordHash,
		SourceIP: in.SourceIP}
	if err := checkRequestFields(&r); err != nil {
		return SignupResult{}, fmt.Errorf("sign up: %w", err)
	}
	if !strings.HasPrefix(r.PasswordHash, "$argon2id$") {
		return SignupResult{}, fmt.Errorf("sign up: %w", &FieldError{Field: "password",
			Message: "the password must arrive hashed with argon2id"})
	}
	var res SignupResult
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		terms, err := checkTerms(p, in.TermsVersion)
		if err != nil {
			return err
		}
		// The pressure counts requests whose link still works, not every
		// request waiting for the expiry pass. The kept count of
		// unconfirmed requests is an upper bound read in O(1); the exact
		// count is taken only near the cap.
		n, err := tx.CountUnverified(ctx)
		if err != nil {
			return err
		}
		pr, err := s.Pressure(ctx, &tx.Queries, p, n)
		if err != nil {
			return err
		}
		if pr.Paused {
			return ErrSignupPaused
		}
		if pr.Challenge {
			if err := s.useChallenge(ctx, tx, p, in.Challenge, in.ChallengeAnswer); err != nil {
				return err
			}
		}
		// Per network, in the database (across restarts and processes): a
		// /24 or /64 gets signup.per_ip_per_hour, a /56 four times and a /48
		// ten times as many, so rotating addresses inside one site does not
		// multiply its allowance.
		if net, net48, net56 := store.Networks(in.SourceIP); net != "" {
			per := p.Int(ParamSignupPerIP)
			a, b, c, err := tx.CountRecentFromNetworks(ctx, net, net48, net56, s.now().Add(-time.Hour))
			if err != nil {
				return err
			}
			if a >= per || c >= 4*per || b >= 10*per {
				return ErrTooMany
			}
		}
		recent, err := tx.CountRecentSignups(ctx, r.Email, s.now().Add(-time.Hour))
		if err != nil {
			return err
		}
		if recent >= p.Int(ParamSignupPerAddress) {
			return ErrTooMany
		}
		// Per email domain, in the database: a company's own domain gets
		// signup.per_domain_per_hour, a free-mail domain, which many real
		// prospects share, ten times as many.
		domain := emailDomain(r.Email)
		perDomain := p.Int(ParamSignupPerDomain)
		if freeMailDomains[domain] {
			perDomain *= 10
		}
		if byDomain, err := tx.DomainSignups(ctx, domain); err != nil {
			return err
		} else if byDomain >= float64(perDomain) {
			return ErrTooManyFromDomain
		}
		if err := tx.AddDomainSignup(ctx, domain); err != nil {
			return err
		}
		// The user name first: checked after the address, a taken name would
		// answer differently for known and unknown addresses.
		taken, err := tx.UsernameTaken(ctx, r.Username)
		if err != nil {
			return err
		}
		if taken {
			return &FieldError{Field: "username", Message: "This user name is taken. Choose another."}
		}
		known, err := tx.EmailRegistered(ctx, r.Email)
		if err != nil {
			return err
		}
		if known {
			return s.noteAlreadyRegistered(ctx, tx, p, r.Email, r.Language)
		}
		if r.Number, err = s.nextNumber(ctx, tx, p, store.SeqRegistration, ParamSeqRegistration); err != nil {
			return err
		}
		if terms != "" {
			now := s.now()
			r.TermsVersion, r.TermsAcceptedAt = terms, &now
		}
		r.CreatedAt = s.now().UTC()
		risk, err := s.assessRisk(ctx, &tx.Queries, r)
		if err != nil {
			return err
		}
		r.RiskScore, r.RiskFlags = risk.Score, risk.Flags()
		if err := tx.InsertRequest(ctx, &r); err != nil {
			return err
		}
		detail := ""
		if in.SourceIP != "" {
			detail = "from " + in.SourceIP
		}
		if err := audit(ctx, tx, "prospect", store.EntityRequest, r.Number, "sign_up", detail); err != nil {
			return err
		}
		res.Number = r.Number
		if err := s.replaceUnconfirmed(ctx, tx, r); err != nil {
			return err
		}
		res.Token, err = s.queueActivation(ctx, tx, p, r)
		return err
	})
	if err != nil {
		return SignupResult{}, fmt.Errorf("sign up: %w", err)
	}
	return res, nil
}

// replaceUnconfirmed expires the older requests from r's address that
// nobody confirmed, revoking their links.
func (s *Service) replaceUnconfirmed(ctx context.Context, tx *store.Tx, r store.Request) error {
	old, err := tx.RequestsByEmail(ctx, r.Email, domain.Requested, 50)
	if err != nil {
		return err
	}
	for _, o := range old {
		if o.ID == r.ID {
			continue
		}
		if err := tx.RevokeTokens(ctx, store.TokenActivation, &o.ID, nil); err != nil {
			return err
		}
		if _, err := s.transition(ctx, tx, o, 0, EventSupersede, store.RequestChange{Actor: "prospect"},
			"replaced by "+r.Number+", a newer sign-up for the same address; its activation links were revoked"); err != nil {
			return err
		}
	}
	return nil
}

// noteAlreadyRegistered tells the owner of a registered address that someone
// tried to sign up with it, at most once an hour.
func (s *Service) noteAlreadyRegistered(ctx context.Context, tx *store.Tx, p Params, email, lang string) error {
	recent, err := tx.Mails(ctx, store.ListMail{Ref: "known:" + strings.ToLower(email), Limit: 1})
	if err != nil {
		return err
	}
	if len(recent) > 0 && s.now().Sub(recent[0].CreatedAt) < time.Hour {
		return nil
	}
	return s.queueMail(ctx, tx, p, "already_registered", ParamTmplAlreadyKnown,
		"known:"+strings.ToLower(email), email, MailData{lang: lang})
}

// queueActivation makes a fresh activation token (older ones stop working)
// and queues the mail with its link.
func (s *Service) queueActivation(ctx context.Context, tx *store.Tx, p Params, r store.Request) (string, error) {
	if err := tx.RevokeTokens(ctx, store.TokenActivation, &r.ID, nil); err != nil {
		return "", err
	}
	ttl := p.Duration(ParamActivationTTL)
	token, err := s.newToken(ctx, tx, store.TokenActivation, &r.ID, nil, ttl)
	if err != nil {
		return "", err
	}
	// Nobody has confirmed this address yet: what the prospect typed goes
	// out unclickable, so the company's mail server phishes for nobody.
	err = s.queueMail(ctx, tx, p, "activation", ParamTmplActivation, r.Number, r.Email, MailData{
		Company: r.CompanyName, FirstName: r.FirstName, LastName: r.LastName, Number: r.Number,
		Username: r.Username, Link: s.portalURL(p) + "/activate?token=" + token,
		expires: ttl, lang: r.Language}.Defanged())
	return token, err
}

// newToken stores the hash of a fresh 256-bit token and returns the token.
func (s *Service) newToken(ctx context.Context, tx *store.Tx, kind string, requestID, userID *int64, ttl time.Duration) (string, error) {
	token := randomToken(32)
	t := &store.Token{Hash: HashToken(token), Kind: kind, RequestID: requestID, UserID: userID,
		ExpiresAt: s.now().Add(ttl)}
	return token, tx.InsertToken(ctx, t)
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= 2*time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d == time.Hour:
		return "1 hour"
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}

// TokenState is what a link token is worth right now.
type TokenState struct {
	// Err is nil, ErrTokenInvalid, ErrTokenExpired or ErrTokenUsed; for an
	// activation link also ErrTokenReplaced, ErrSignupReplaced or
	// ErrSignupExpired.
	Err    error
	Number string // the request it belongs to, when valid
	// Company and Username are what the activation would confirm, shown
	// before the button so nobody activates a request they did not make.
	Company, Username string
}

// CheckActivation looks at an activation token without using it (the GET
// page; mail scanners fetch links, so looking must not activate).
func (s *Service) CheckActivation(ctx context.Context, token string) (TokenState, error) {
	_, r, err := s.activationToken(ctx, s.db.Read(), token)
	switch {
	case IsLinkProblem(err):
		return TokenState{Err: err}, nil
	case err != nil:
		return TokenState{}, err
	}
	return TokenState{Number: r.Number, Company: r.CompanyName, Username: r.Username}, nil
}

// IsLinkProblem reports whether err says why a link does not work (an
// answer for the person holding it, not a failure of regdesk).
func IsLinkProblem(err error) bool {
	for _, e := range []error{ErrTokenInvalid, ErrTokenExpired, ErrTokenUsed, ErrTokenReplaced,
		ErrSignupReplaced, ErrSignupExpired} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// activationToken returns a usable activation token and its request, or
// says what became of them: a prospect holding an old link learns whether it
// was used, replaced by a newer link or sign-up, or expired.
func (s *Service) activationToken(ctx context.Context, q *store.Queries, token string) (store.Token, store.Request, error) {
	t, tokenErr := s.lookupToken(ctx, q, store.TokenActivation, token)
	if tokenErr != nil && !errors.Is(tokenErr, ErrTokenUsed) && !errors.Is(tokenErr, ErrTokenExpired) {
		return t, store.Request{}, tokenErr
	}
	r, err := q.RequestByID(ctx, *t.RequestID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return t, r, ErrTokenInvalid
	case err != nil:
		return t, r, err
	}
	switch r.Status {
	case domain.Requested:
		// Activating uses the token and verifies the request in one
		// transaction, so a used token of a waiting request was revoked by
		// a resend.
		if errors.Is(tokenErr, ErrTokenUsed) {
			return t, r, ErrTokenReplaced
		}
		return t, r, tokenErr
	case domain.Expired:
		trail, err := q.AuditTrail(ctx, store.EntityRequest, r.Number)
		if err != nil {
			return t, r, err
		}
		for _, e := range trail {
			if e.Action == EventSupersede {
				return t, r, ErrSignupReplaced
			}
		}
		return t, r, ErrSignupExpired
	}
	return t, r, ErrTokenUsed
}

// lookupToken returns a usable token or why it is not.
func (s *Service) lookupToken(ctx context.Context, q *store.Queries, kind, token string) (store.Token, error) {
	if len(token) < 20 || len(token) > 100 {
		return store.Token{}, ErrTokenInvalid
	}
	t, err := q.TokenByHash(ctx, kind, HashToken(token))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return t, ErrTokenInvalid
	case err != nil:
		return t, err
	case t.UsedAt != nil:
		return t, ErrTokenUsed
	case !s.now().Before(t.ExpiresAt):
		return t, ErrTokenExpired
	}
	return t, nil
}

// Activate uses an activation token: the request becomes verified and
// enters the approvers' queue.
func (s *Service) Activate(ctx context.Context, token string) (store.Request, error) {
	var out store.Request
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		t, r, err := s.activationToken(ctx, &tx.Queries, token)
		if err != nil {
			return err
		}
		// Unconfirmed requests do not hold their user name: the first to
		// confirm gets it.
		taken, err := tx.UsernameTaken(ctx, r.Username)
		if err != nil {
			return err
		}
		if taken {
			return ErrUsernameGone
		}
		if err := tx.UseToken(ctx, t.ID); err != nil {
			return ErrTokenUsed
		}
		out, err = s.transition(ctx, tx, r, 0, EventActivate,
			store.RequestChange{Actor: "prospect", Verified: true}, "email confirmed")
		if err != nil {
			return err
		}
		return s.emitRequest(ctx, tx, HookRequestVerified, out)
	})
	if err != nil {
		return out, fmt.Errorf("activate: %w", err)
	}
	s.log.Info("request verified", "number", out.Number)
	return out, nil
}

// ResendActivationTo sends a fresh link to an address with a request waiting
// for activation. It says nothing about whether there was one.
func (s *Service) ResendActivationTo(ctx context.Context, email string) error {
	err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.resendActivationTo(ctx, tx, email) })
	if err != nil {
		return fmt.Errorf("resend activation: %w", err)
	}
	return nil
}

func (s *Service) resendActivationTo(ctx context.Context, tx *store.Tx, email string) error {
	rs, err := tx.RequestsByEmail(ctx, email, domain.Requested, 1)
	if err != nil || len(rs) == 0 {
		return err
	}
	p, err := LoadParams(ctx, &tx.Queries)
	if err != nil {
		return err
	}
	_, err = s.queueActivation(ctx, tx, p, rs[0])
	return err
}

// ResendActivation sends a fresh activation link for a request (approvers).
func (s *Service) ResendActivation(ctx context.Context, a Action) (string, error) {
	if a.Actor != "" {
		if err := checkActor(a.Actor); err != nil {
			return "", err
		}
	}
	var token string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestByNumber(ctx, a.Number)
		if err != nil {
			return err
		}
		if r.Status != domain.Requested {
			return changed(ctx, &tx.Queries, r, &TransitionError{Kind: "customer request",
				From: string(r.Status), Event: "resend the activation link of"})
		}
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		if token, err = s.queueActivation(ctx, tx, p, r); err != nil {
			return err
		}
		actor := a.Actor
		if actor == "" {
			actor = "operator"
		}
		return audit(ctx, tx, actor, store.EntityRequest, r.Number, "resend", "activation link sent to "+r.Email)
	})
	if err != nil {
		return "", fmt.Errorf("resend %s: %w", a.Number, err)
	}
	return token, nil
}
