package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"time"
)

// ContentSecurityPolicy allows only this site's own files: no inline
// scripts or styles, no plugins, no framing, forms posting only here.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; " +
	"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// DefaultMaxFormBytes is the body limit for form posts; the sign-up form
// is a few kilobytes at most.
const DefaultMaxFormBytes = 64 << 10

// HeadersConfig configures [SecureHeaders].
type HeadersConfig struct {
	// HSTS, if positive, sends Strict-Transport-Security with this max-age.
	// Set it only when the portal is served over TLS.
	HSTS time.Duration
}

// SecureHeaders sets the security headers on every response.
func SecureHeaders(cfg HeadersConfig) func(http.Handler) http.Handler {
	// Keys in canonical form and values built once; each response gets
	// its own copy of the values in one allocation, each header a slice of
	// it at full capacity (so Add grows it into a new array).
	keys := []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
		"Permissions-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "X-Frame-Options"}
	vals := []string{ContentSecurityPolicy, "nosniff",
		"no-referrer", // activation links carry tokens
		"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
		"same-origin", "same-origin",
		"DENY"} // for browsers without frame-ancestors
	if cfg.HSTS > 0 {
		keys = append(keys, "Strict-Transport-Security")
		vals = append(vals, "max-age="+strconv.FormatInt(int64(cfg.HSTS/time.Second), 10))
	}
	for _, k := range keys {
		if k != http.CanonicalHeaderKey(k) {
			panic("SecureHeaders: " + k + " is not in canonical form")
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			own := slices.Clone(vals)
			for i, k := range keys {
				h[k] = own[i : i+1 : i+1]
			}
			next.ServeHTTP(w, r)
		})
	}
}

type ctxKey int

const requestIDKey ctxKey = iota

// RequestID gives every request a random id, in its context (see
// [RequestIDFrom]) and in the X-Request-Id response header. An incoming
// X-Request-Id is ignored: it could be forged to confuse the logs.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// RequestIDFrom returns the request id set by [RequestID], or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Recover turns a panic in next into the generic error page with status 500
// and the request id, logging the details (never the request body). A panic
// with http.ErrAbortHandler is passed on, as net/http expects. If the
// handler had already started its response, the connection is aborted.
func Recover(log *slog.Logger, rd *Renderer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tw := &trackingWriter{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request",
					"request_id", RequestIDFrom(r.Context()), "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if tw.wrote {
					panic(http.ErrAbortHandler)
				}
				rd.Error(w, r, http.StatusInternalServerError)
			}()
			next.ServeHTTP(tw, r)
		})
	}
}

// trackingWriter notes whether a response has started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// LimitBody refuses request bodies over max bytes (0 means
// DefaultMaxFormBytes) with the 413 page: at once when Content-Length says
// so, otherwise when the handler reads past the limit (see
// [Renderer.ParseForm]).
func LimitBody(max int64, rd *Renderer) func(http.Handler) http.Handler {
	if max <= 0 {
		max = DefaultMaxFormBytes
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				w.Header().Set("Connection", "close")
				rd.Error(w, r, http.StatusRequestEntityTooLarge)
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CrossOriginProtection wraps Go's [http.CrossOriginProtection]: unsafe
// cross-origin browser requests get the 403 page. trustedOrigins (such as
// "https://www.example.com") may post the sign-up form, POST /signup, from
// the company's own web site, and nothing else: a trusted marketing page
// must not be able to change a customer's contact details or log them out.
// They must be https, so a network attacker cannot inject such a page.
func CrossOriginProtection(rd *Renderer, trustedOrigins []string) (func(http.Handler) http.Handler, error) {
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rd.Error(w, r, http.StatusForbidden)
	})
	strict := http.NewCrossOriginProtection()
	strict.SetDenyHandler(deny)
	signup := http.NewCrossOriginProtection()
	signup.SetDenyHandler(deny)
	for _, o := range trustedOrigins {
		if err := ValidTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("cross-origin protection: %w", err)
		}
		if err := signup.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("cross-origin protection: trusted origin %q: %w", o, err)
		}
	}
	return func(next http.Handler) http.Handler {
		strictH, signupH := strict.Handler(next), signup.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/signup" {
				signupH.ServeHTTP(w, r)
				return
			}
			strictH.ServeHTTP(w, r)
		})
	}, nil
}

// ValidTrustedOrigin checks an origin for [CrossOriginProtection]:
// https://host[:port], nothing more.
func ValidTrustedOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Path != "" ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("trusted origin %q: want https://host[:port] with no path, such as https://www.example.com", o)
	}
	return nil
}

// ParseForm parses a posted form. On failure it writes the 413 page (body
// over the [LimitBody] limit) or the 400 page and returns false; the
// handler then just returns.
func (rd *Renderer) ParseForm(w http.ResponseWriter, r *http.Request) bool {
	err := r.ParseForm()
	if err == nil {
		return true
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		w.Header().Set("Connection", "close")
		rd.Error(w, r, http.StatusRequestEntityTooLarge)
		return false
	}
	rd.Error(w, r, http.StatusBadRequest)
	return false
}

// Error writes the page for an error status: [PageNotFound] for 404,
// [PageTooMany] for 429, otherwise [PageError] with the request id.
func (rd *Renderer) Error(w http.ResponseWriter, r *http.Request, status int) {
	var err error
	switch status {
	case http.StatusNotFound:
		err = rd.Render(w, r, status, PageNotFound, NotFoundPage{})
	case http.StatusTooManyRequests:
		rd.TooManyRequests(w, r, time.Minute)
		return
	default:
		err = rd.Render(w, r, status, PageError, ErrorPage{Status: status, RequestID: RequestIDFrom(r.Context())})
	}
	if err != nil {
		// The error pages are covered by tests; this is the last resort.
		http.Error(w, http.StatusText(status), status)
	}
}

// NotFound writes the 404 page; it fits chi's NotFound hook.
func (rd *Renderer) NotFound(w http.ResponseWriter, r *http.Request) {
	rd.Error(w, r, http.StatusNotFound)
}

// TooManyRequests writes the 429 page with a Retry-After header in whole
// seconds, at least one.
func (rd *Renderer) TooManyRequests(w http.ResponseWriter, r *http.Request, retryAfter time.Duration) {
	secs := int64((retryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	if err := rd.Render(w, r, http.StatusTooManyRequests, PageTooMany, TooManyPage{RetryAfter: retryAfter}); err != nil {
		http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
	}
}
