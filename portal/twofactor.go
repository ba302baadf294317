package portal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// Two-step login pages: /account/security to set up and turn off the
// authenticator app, and /login/code, the half-step between the password
// and the session.

// loginChallengeTTL is how long the code step waits after the password.
const loginChallengeTTL = 5 * time.Minute

// Cookie names of the half-step, like the session's: __Host- over TLS.
const (
	ChallengeCookieSecure = "__Host-regdesk_login"
	ChallengeCookiePlain  = "regdesk_login"
)

// challengeCookieName follows the session cookie: Secure and __Host- when
// the browser reached the portal over https (see secureFor).
func challengeCookieName(secure bool) string {
	if secure {
		return ChallengeCookieSecure
	}
	return ChallengeCookiePlain
}

// startChallenge records that u's password was right and sends the browser
// to the code step. No session exists until the code is given.
func (s *server) startChallenge(w http.ResponseWriter, r *http.Request, u store.User, next string) error {
	ctx := r.Context()
	id, hash := newSessionID()
	c := &store.LoginChallenge{Hash: hash, UserID: u.ID, Next: next, ExpiresAt: s.now().Add(loginChallengeTTL)}
	if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertLoginChallenge(ctx, c) }); err != nil {
		return err
	}
	secure := s.secureFor(r)
	http.SetCookie(w, &http.Cookie{Name: challengeCookieName(secure), Value: id, Path: "/", HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: int(loginChallengeTTL / time.Second)})
	s.log.Info("login password accepted; code requested", "user", u.Username, "request_id", RequestIDFrom(ctx))
	http.Redirect(w, r, "/login/code", http.StatusSeeOther)
	return nil
}

// challenge returns the browser's unexpired half-step and its user, or ok
// false when there is none (expired, used, or never started).
func (s *server) challenge(r *http.Request) (store.LoginChallenge, store.User, bool, error) {
	c, err := r.Cookie(challengeCookieName(s.secureFor(r)))
	if err != nil || len(c.Value) != base64.RawURLEncoding.EncodedLen(sessionIDBytes) {
		return store.LoginChallenge{}, store.User{}, false, nil
	}
	q := s.db.Read()
	ch, err := q.LoginChallengeByHash(r.Context(), hashSessionID(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return ch, store.User{}, false, nil
	}
	if err != nil {
		return ch, store.User{}, false, err
	}
	u, err := q.UserByID(r.Context(), ch.UserID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !u.Active {
		return ch, u, false, nil
	}
	return ch, u, err == nil, err
}

func (s *server) clearChallengeCookie(w http.ResponseWriter, r *http.Request) {
	secure := s.secureFor(r)
	http.SetCookie(w, &http.Cookie{Name: challengeCookieName(secure), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

func (s *server) codePage(w http.ResponseWriter, r *http.Request) {
	_, _, ok, err := s.challenge(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.clearChallengeCookie(w, r)
		http.Redirect(w, r, "/login?done=code_expired", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, PageLoginCode, CodePage{})
}

// loginCode finishes a login with the code from the app or a recovery code.
func (s *server) loginCode(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.limits.loginIP.Allow(s.clientKey(r)); !ok {
		s.rd.TooManyRequests(w, r, wait)
		return
	}
	if !s.rd.ParseForm(w, r) {
		return
	}
	ch, u, ok, err := s.challenge(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.clearChallengeCookie(w, r)
		http.Redirect(w, r, "/login?done=code_expired", http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	recovery, err := s.svc.VerifyTwoFactor(ctx, u.ID, r.PostForm.Get(FieldCode))
	if th, ok := errors.AsType[*workflow.ThrottledError](err); ok {
		s.rd.TooManyRequests(w, r, th.RetryAfter)
		return
	}
	if errors.Is(err, workflow.ErrTwoFactorOff) {
		// Reset by an approver meanwhile: the password was right, so log in.
		err = nil
	}
	if msg := codeMessage(err); msg != "" {
		s.log.Info("login code refused", "user", u.Username, "request_id", RequestIDFrom(ctx), "reason", err)
		s.render(w, r, http.StatusUnprocessableEntity, PageLoginCode, CodePage{
			Errors: FieldErrors{{Field: FieldCode, Label: codeLabel, Message: msg}}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return tx.DeleteLoginChallenge(ctx, ch.ID) }); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearChallengeCookie(w, r)
	if err := s.openSession(w, r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	next := ch.Next
	if recovery {
		next = "/account/security?done=recovery_used"
	} else if next == "" {
		next = "/account"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// codeLabel is the code box's label.
const codeLabel = "Code"

// codeMessage is what the page says about a refused code, or "" when err is
// not about the code.
func codeMessage(err error) string {
	switch {
	case errors.Is(err, workflow.ErrCodeFormat):
		return "Enter the 6-digit code from your authenticator app, or one of your recovery codes"
	case errors.Is(err, workflow.ErrCodeWrong):
		return "That code is not right. Enter the code your app shows now; check that the time on your phone is set automatically."
	case errors.Is(err, workflow.ErrCodeUsed):
		return "That code has been used already. Wait for your app to show the next one and enter that."
	case errors.Is(err, workflow.ErrSecretUnreadable):
		return "Codes from your app cannot be checked at the moment. Enter one of your recovery codes, or reply to any email from us and we will help you back in."
	case errors.Is(err, workflow.ErrNotEnrolling):
		return "The set-up has been restarted. Scan the new QR code and enter the code it gives."
	}
	return ""
}

// requireTwoFactor keeps a self-service administrator without two-step
// login on the security page while the security.admin_two_factor parameter
// asks for it.
func (s *server) requireTwoFactor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, _ := currentUser(r)
		if in.user.Role != store.RoleCustomerAdmin || strings.HasPrefix(r.URL.Path, "/account/security") {
			next.ServeHTTP(w, r)
			return
		}
		p, ok := s.params(w, r)
		if !ok {
			return
		}
		if !p.Bool(workflow.ParamAdminTwoFactor) {
			next.ServeHTTP(w, r)
			return
		}
		st, err := s.svc.TwoFactor(r.Context(), in.user.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !st.Enabled {
			http.Redirect(w, r, "/account/security?done=required", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// securityPage shows two-step login: its state, or the enrolment.
func (s *server) securityPage(w http.ResponseWriter, r *http.Request) {
	page, err := s.securityPageData(r, nil, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Notice = noticeFor(r.URL.Query().Get("done"))
	s.render(w, r, http.StatusOK, PageAccountSecurity, page)
}

func (s *server) securityPageData(r *http.Request, enableErrs, disableErrs FieldErrors) (SecurityPage, error) {
	in, _ := currentUser(r)
	ctx := r.Context()
	page := SecurityPage{Nav: s.nav(r, "account"), EnableErrors: enableErrs, DisableErrors: disableErrs}
	st, err := s.svc.TwoFactor(ctx, in.user.ID)
	if err != nil {
		return page, err
	}
	page.Status = st
	if p, err := workflow.LoadParams(ctx, s.db.Read()); err == nil {
		page.Required = in.user.Role == store.RoleCustomerAdmin && p.Bool(workflow.ParamAdminTwoFactor)
	} else {
		return page, err
	}
	if st.Enabled {
		return page, nil
	}
	en, err := s.svc.StartTwoFactor(ctx, in.user.ID)
	if err != nil {
		return page, err
	}
	page.Secret = en.Secret
	page.QR, err = qrDataURL(en)
	return page, err
}

// qrDataURL draws the enrolment's otpauth URL as a PNG QR code, inline so
// the page needs no script and no second request (the CSP allows data:
// images). Every module is the same whole number of pixels and the code
// keeps the four-module quiet zone the QR standard asks for: cameras and
// decoders lose codes drawn edge to edge or with uneven modules.
func qrDataURL(en workflow.Enrolment) (template.URL, error) {
	code, err := qr.Encode(en.Key.String(), qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	const quiet = 4 // modules of white around the code
	modules := code.Bounds().Dx()
	scale := max(qrSize/(modules+2*quiet), 1)
	side := (modules + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range modules {
		for x := range modules {
			if code.At(x, y) != color.Black {
				continue
			}
			r := image.Rect((x+quiet)*scale, (y+quiet)*scale, (x+quiet+1)*scale, (y+quiet+1)*scale)
			draw.Draw(img, r, image.Black, image.Point{}, draw.Src)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())), nil // #nosec: our own PNG
}

// qrSize is the QR code's largest side in pixels; the page shows it at
// this size whatever the code's own side comes to.
const qrSize = 240

// enableTwoFactor confirms enrolment with the first code and shows the
// recovery codes, once: the answer is the page itself, not a redirect, and
// it is never cached.
func (s *server) enableTwoFactor(w http.ResponseWriter, r *http.Request) {
	if !s.rd.ParseForm(w, r) {
		return
	}
	in, _ := currentUser(r)
	ctx := r.Context()
	codes, err := s.svc.ConfirmTwoFactor(ctx, in.user.ID, r.PostForm.Get(FieldCode))
	if errors.Is(err, workflow.ErrTwoFactorOn) {
		http.Redirect(w, r, "/account/security", http.StatusSeeOther)
		return
	}
	if msg := codeMessage(err); msg != "" {
		page, perr := s.securityPageData(r, FieldErrors{{Field: FieldCode, Label: codeLabel, Message: msg}}, nil)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, PageAccountSecurity, page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.securityPageData(r, nil, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.RecoveryCodes = codes
	page.Notice = noticeFor("two_factor_on")
	s.render(w, r, http.StatusOK, PageAccountSecurity, page)
}

// disableTwoFactor turns two-step login off with the password and a code.
func (s *server) disableTwoFactor(w http.ResponseWriter, r *http.Request) {
	if !s.rd.ParseForm(w, r) {
		return
	}
	in, _ := currentUser(r)
	ctx := r.Context()
	pw := NormalizePassword(strings.ToValidUTF8(r.PostForm.Get(FieldCurrentPassword), "\uFFFD"))
	code := r.PostForm.Get(FieldCode)
	var errs FieldErrors
	if pw == "" {
		errs = errs.add(FieldCurrentPassword, "Password", "Enter your password")
	}
	if strings.TrimSpace(code) == "" {
		errs = errs.add(FieldCode, codeLabel, codeMessage(workflow.ErrCodeFormat))
	}
	if errs == nil {
		// The password is a guessable secret here too: limited like logins.
		if ok, wait := s.limits.loginPair.Allow("2fa-off:" + in.user.Username + "|" + s.clientKey(r)); !ok {
			s.rd.TooManyRequests(w, r, wait)
			return
		}
		ok, err := s.checkPassword(r, &in.user, pw)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			errs = errs.add(FieldCurrentPassword, "Password", "Your password is wrong; type it again")
		}
	}
	if errs == nil {
		err := s.svc.DisableTwoFactor(ctx, in.user.ID, code)
		if th, ok := errors.AsType[*workflow.ThrottledError](err); ok {
			s.rd.TooManyRequests(w, r, th.RetryAfter)
			return
		}
		if errors.Is(err, workflow.ErrTwoFactorOff) {
			http.Redirect(w, r, "/account/security", http.StatusSeeOther)
			return
		}
		if msg := codeMessage(err); msg != "" {
			errs = errs.add(FieldCode, codeLabel, msg)
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if errs != nil {
		page, err := s.securityPageData(r, nil, errs)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, PageAccountSecurity, page)
		return
	}
	s.log.Info("two-step login turned off", "user", in.user.Username, "request_id", RequestIDFrom(ctx))
	http.Redirect(w, r, "/account/security?done=two_factor_off", http.StatusSeeOther)
}

// openSession is the end of a login: a fresh session for u, replacing any
// the browser had.
func (s *server) openSession(w http.ResponseWriter, r *http.Request, u store.User) error {
	ctx := r.Context()
	p, err := workflow.LoadParams(ctx, s.db.Read())
	if err != nil {
		return err
	}
	old, _ := currentUser(r)
	var id string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.startSession(ctx, tx, p, u, old)
		return err
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, id)
	s.log.Info("login", "user", u.Username, "request_id", RequestIDFrom(ctx))
	return nil
}
