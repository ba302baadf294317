package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
)

// maxLoginDelay caps the slow-down of an account that many addresses are
// guessing at once: its logins answer later, but never stop working.
const maxLoginDelay = 2 * time.Second

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := currentUser(r); ok {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	f := LoginForm{Next: LocalPath(r.URL.Query().Get(FieldNext))}
	s.render(w, r, http.StatusOK, PageLogin, LoginPage{Form: f, Notice: noticeFor(r.URL.Query().Get("done"))})
}

// login checks a user name (or email) and password and starts a session.
//
// Throttling never locks an account: attempts per (account, client address)
// pair are limited, so one address guessing gets 429 while the owner,
// elsewhere, still logs in; attempts per account from all addresses beyond a
// budget are only slowed down, by at most maxLoginDelay each. Every failure,
// whether the user is unknown, the password wrong or the login inactive, has
// the same message and costs one password hash.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	ip := s.clientKey(r)
	if ok, wait := s.limits.loginIP.Allow(ip); !ok {
		s.rd.TooManyRequests(w, r, wait)
		return
	}
	if !s.rd.ParseForm(w, r) {
		return
	}
	f := ParseLoginForm(r.PostForm)
	if errs := f.Validate(); errs != nil {
		s.render(w, r, http.StatusUnprocessableEntity, PageLogin, LoginPage{Form: f, Errors: errs})
		return
	}
	ctx := r.Context()
	var user *store.User
	if len(f.Username) <= maxLoginLen {
		u, err := s.db.Read().UserByLogin(ctx, f.Username)
		switch {
		case err == nil:
			user = &u
		case !errors.Is(err, store.ErrNotFound):
			s.fail(w, r, err)
			return
		}
	}
	account := "login:" + strings.ToLower(f.Username)
	if user != nil {
		account = "user:" + strconv.FormatInt(user.ID, 10)
	}
	if ok, wait := s.limits.loginPair.Allow(account + "|" + ip); !ok {
		s.rd.TooManyRequests(w, r, wait)
		return
	}
	if ok, wait := s.limits.loginAccount.Allow(account); !ok {
		if err := s.sleep(ctx, min(wait, maxLoginDelay)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	ok, err := s.checkPassword(r, user, f.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.log.Info("login failed", "request_id", RequestIDFrom(ctx), "client", ip)
		f.Password = ""
		s.render(w, r, http.StatusUnprocessableEntity, PageLogin, LoginPage{Form: f,
			Errors: FieldErrors{{Field: FieldUsername, Label: "User name or email address", Message: MsgLoginFailed}}})
		return
	}
	if err := s.logIn(w, r, *user, f.Password); err != nil {
		s.fail(w, r, err)
		return
	}
	next := f.Next
	if next == "" {
		next = "/account"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// checkPassword verifies pw for user along one path: a missing user, a login
// without a password yet, an unreadable hash and an over-long password each
// cost the one hash a real check costs, and fail. An inactive user's
// password is checked too, so timing says nothing.
func (s *server) checkPassword(r *http.Request, user *store.User, pw string) (bool, error) {
	phc := ""
	if user != nil {
		phc = user.PasswordHash
	}
	ok, err := s.hasher.Verify(r.Context(), pw, phc)
	if errors.Is(err, ErrInvalidHash) {
		s.log.Error("stored password hash unreadable", "user", user.Username, "err", err)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return ok && user != nil && user.Active, nil
}

// logIn rotates the session: the browser's old session, if any, ends and a
// new one starts. A hash made with weaker parameters is replaced.
func (s *server) logIn(w http.ResponseWriter, r *http.Request, u store.User, pw string) error {
	ctx := r.Context()
	var rehash string
	if s.hasher.NeedsRehash(u.PasswordHash) {
		h, err := s.hasher.Hash(ctx, pw)
		if err != nil {
			return err
		}
		rehash = h
	}
	p, err := s.svc.Params(ctx, s.db.Read())
	if err != nil {
		return err
	}
	old, _ := currentUser(r)
	var id string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if rehash != "" {
			if err := tx.RehashUserPassword(ctx, u.ID, u.PasswordHash, rehash); err != nil {
				return err
			}
		}
		var err error
		id, err = s.startSession(ctx, tx, p, u, old)
		return err
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, id)
	s.log.Info("login", "user", u.Username, "request_id", RequestIDFrom(ctx), "rehashed", rehash != "")
	return nil
}

// logout ends the session (POST only, so a link or an image cannot log
// anyone out).
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if in, ok := currentUser(r); ok {
		ctx := r.Context()
		if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, in.session.ID) }); err != nil {
			s.fail(w, r, err)
			return
		}
		s.log.Info("logout", "user", in.user.Username, "request_id", RequestIDFrom(ctx))
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login?done=logout", http.StatusSeeOther)
}
