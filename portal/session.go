package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// Session cookie names. The __Host- prefix makes browsers insist on Secure,
// Path=/ and no Domain, so only this host over TLS can set it; a browser
// refuses a __Host- cookie without Secure, so plain-HTTP development (for
// example http://127.0.0.1:8080) uses the unprefixed name.
const (
	SessionCookieSecure = "__Host-regdesk_session"
	SessionCookiePlain  = "regdesk_session"
)

// sessionIDBytes is the size of a session id: 256 random bits.
const sessionIDBytes = 32

// touchEvery bounds the writes that record activity: last_seen_at moves at
// most once a minute per session, which is precise enough for an idle
// timeout counted in minutes.
const touchEvery = time.Minute

// signedIn is the logged-in user of a request, put in its context by
// [server.withSession].
type signedIn struct {
	session store.Session
	user    store.User
}

type sessionCtxKey struct{}

// sessionState is what withSession found: a user, or a cookie whose
// session has ended (so the login page can say why).
type sessionState struct {
	in    *signedIn
	ended bool
}

func sessionFrom(ctx context.Context) sessionState {
	st, _ := ctx.Value(sessionCtxKey{}).(sessionState)
	return st
}

// currentUser returns the logged-in user of r, if any.
func currentUser(r *http.Request) (*signedIn, bool) {
	in := sessionFrom(r.Context()).in
	return in, in != nil
}

func (s *server) cookieName() string {
	if s.secure {
		return SessionCookieSecure
	}
	return SessionCookiePlain
}

// newSessionID returns a fresh random session id and the hash stored for it.
func newSessionID() (string, []byte) {
	b := make([]byte, sessionIDBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	id := base64.RawURLEncoding.EncodeToString(b)
	return id, hashSessionID(id)
}

func hashSessionID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// setSessionCookie hands the browser a session id. It is a browser-session
// cookie (no Max-Age): the server enforces the idle and absolute timeouts.
func (s *server) setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: id, Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// startSession creates a session for u in tx, ending old (the session the
// browser had before, if any) so a session id is never reused across a login.
// It returns the new id for the cookie.
func (s *server) startSession(ctx context.Context, tx *store.Tx, p workflow.Params, u store.User, old *signedIn) (string, error) {
	if old != nil {
		if err := tx.DeleteSession(ctx, old.session.ID); err != nil {
			return "", err
		}
	}
	id, hash := newSessionID()
	sess := &store.Session{Hash: hash, UserID: u.ID, ExpiresAt: s.now().Add(p.Duration(workflow.ParamSessionAbsolute))}
	if err := tx.InsertSession(ctx, sess); err != nil {
		return "", err
	}
	// Sweep a few ended sessions while here; logins are frequent enough.
	now := s.now()
	if _, err := tx.DeleteExpiredSessions(ctx, now, now.Add(-p.Duration(workflow.ParamSessionIdle)), 100); err != nil {
		return "", err
	}
	return id, nil
}

// withSession loads the session named by the cookie, if it is still valid,
// and its active user into the request's context. An ended session (idle,
// past its absolute lifetime, or of an inactive user) is deleted and its
// cookie cleared.
func (s *server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookieName())
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		st, err := s.loadSession(r.Context(), c.Value)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if st.ended {
			s.clearSessionCookie(w)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionCtxKey{}, st)))
	})
}

func (s *server) loadSession(ctx context.Context, id string) (sessionState, error) {
	ended := sessionState{ended: true}
	if len(id) != base64.RawURLEncoding.EncodedLen(sessionIDBytes) {
		return ended, nil
	}
	q := s.db.Read()
	sess, err := q.SessionByHash(ctx, hashSessionID(id))
	if errors.Is(err, store.ErrNotFound) {
		return ended, nil
	}
	if err != nil {
		return sessionState{}, err
	}
	p, err := s.svc.Params(ctx, q)
	if err != nil {
		return sessionState{}, err
	}
	now := s.now()
	expired := !now.Before(sess.ExpiresAt) ||
		now.Sub(sess.CreatedAt) >= p.Duration(workflow.ParamSessionAbsolute) ||
		now.Sub(sess.LastSeenAt) >= p.Duration(workflow.ParamSessionIdle)
	var u store.User
	if !expired {
		u, err = q.UserByID(ctx, sess.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return sessionState{}, err
		}
		expired = err != nil || !u.Active
	}
	if expired {
		err := s.db.WithTx(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, sess.ID) })
		return ended, err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, sess.ID) }); err != nil {
			return sessionState{}, err
		}
		sess.LastSeenAt = now
	}
	return sessionState{in: &signedIn{session: sess, user: u}}, nil
}

// requireUser sends visitors who are not logged in to the login page, with
// the page they wanted (GET only) to return to.
func (s *server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := sessionFrom(r.Context())
		if st.in != nil {
			w.Header().Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r)
			return
		}
		q := url.Values{}
		if r.Method == http.MethodGet {
			if next := LocalPath(r.URL.RequestURI()); next != "" && next != "/account" {
				q.Set(FieldNext, next)
			}
		}
		if st.ended {
			q.Set("done", "ended")
		}
		target := "/login"
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	})
}

// requireAdmin shows the forbidden page to users who are not self-service
// administrators. It runs after requireUser.
func (s *server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, _ := currentUser(r)
		if in.user.Role != store.RoleCustomerAdmin {
			s.render(w, r, http.StatusForbidden, PageForbidden, ForbiddenPage{Nav: s.nav(r, "")})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// nav is the signed-in header for r's user, marking section as current.
func (s *server) nav(r *http.Request, section string) Nav {
	in, ok := currentUser(r)
	if !ok {
		return Nav{}
	}
	n := Nav{Username: in.user.Username, Admin: in.user.Role == store.RoleCustomerAdmin, Current: section}
	if c, err := s.db.Read().ContactByID(r.Context(), in.user.ContactID); err == nil {
		n.Name = c.FirstName + " " + c.LastName
	}
	return n
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
