package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// APIPrefix is where the HTTP API lives on the portal's listener.
const APIPrefix = "/api/v1"

// apiMaxBody caps request bodies: the largest is a rejection's comment.
const apiMaxBody = 16 << 10

// DefaultAPIRequestsPerMinute is each token's allowance.
const DefaultAPIRequestsPerMinute = 600

// newAPI builds the HTTP API: huma on a chi router, so the OpenAPI 3.1
// document is derived from the handlers. Only bearer tokens authenticate
// (never the portal's cookies); every error is an RFC 9457 problem document.
func (s *server) newAPI() (*apiServer, error) {
	perMinute := s.deps.APIRequestsPerMinute
	if perMinute <= 0 {
		perMinute = DefaultAPIRequestsPerMinute
	}
	lim, err := NewKeyedLimiter(LimiterConfig{Events: perMinute, Per: time.Minute, Now: s.now})
	if err != nil {
		return nil, err
	}
	cfg := huma.DefaultConfig("regdesk API", "1.0.0")
	cfg.OpenAPIPath, cfg.DocsPath, cfg.SchemasPath = "", "", ""
	cfg.CreateHooks = nil // no $schema links: records keep the CLI's --json shape
	cfg.Info.Description = "Customer requests, customers and user requests of regdesk. " +
		"Authenticate with `Authorization: Bearer TOKEN` (made by `regdesk tokens add`)."
	server := APIPrefix
	if s.deps.BaseURL != "" {
		server = strings.TrimRight(s.deps.BaseURL, "/") + APIPrefix
	}
	cfg.Servers = []*huma.Server{{URL: server}}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token from `regdesk tokens add`."},
	}

	root := chi.NewRouter()
	root.NotFound(problemHandler(http.StatusNotFound, "no such API route"))
	root.MethodNotAllowed(problemHandler(http.StatusMethodNotAllowed, "this route does not take that method"))
	var api huma.API
	root.Route(APIPrefix, func(r chi.Router) {
		r.NotFound(problemHandler(http.StatusNotFound, "no such API route"))
		r.MethodNotAllowed(problemHandler(http.StatusMethodNotAllowed, "this route does not take that method"))
		api = humachi.New(r, cfg)
		r.Get("/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
			b, err := json.Marshal(api.OpenAPI())
			if err != nil {
				s.log.Error("OpenAPI document", "err", err)
				writeProblem(w, http.StatusInternalServerError, "the API description could not be built")
				return
			}
			w.Header().Set("Content-Type", "application/openapi+json")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(b)
		})
	})
	a := &apiServer{s: s, api: api, router: root, limit: lim, log: s.log.With("component", "api")}
	api.UseMiddleware(a.authenticate)
	a.register()
	a.handler = a.recoverProblems(root)
	return a, nil
}

// apiServer holds the API's handlers.
type apiServer struct {
	s       *server
	api     huma.API
	router  chi.Routes // every route, for the test that the document lists them all
	handler http.Handler
	limit   *KeyedLimiter
	log     *slog.Logger
}

// Operation metadata: the scope a route needs.
const metaScope = "scope"

type tokenKey struct{}

// tokenFrom is the caller's token, set by authenticate.
func tokenFrom(ctx context.Context) store.APIToken {
	t, _ := ctx.Value(tokenKey{}).(store.APIToken)
	return t
}

// authenticate checks the bearer token against the store on every request
// (a revoked token is refused at once), then the token's rate limit and
// scope. Cookies are never looked at.
func (a *apiServer) authenticate(ctx huma.Context, next func(huma.Context)) {
	scope, _ := ctx.Operation().Metadata[metaScope].(string)
	if scope == "" {
		next(ctx)
		return
	}
	auth := ctx.Header("Authorization")
	kind, token, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(kind, "Bearer") || strings.TrimSpace(token) == "" {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="regdesk"`)
		_ = huma.WriteErr(a.api, ctx, http.StatusUnauthorized, "send Authorization: Bearer TOKEN (make one with regdesk tokens add)")
		return
	}
	t, err := a.s.svc.AuthenticateAPIToken(ctx.Context(), strings.TrimSpace(token))
	if errors.Is(err, workflow.ErrBadToken) {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="regdesk", error="invalid_token"`)
		_ = huma.WriteErr(a.api, ctx, http.StatusUnauthorized, "the token is unknown or revoked")
		return
	}
	if err != nil {
		a.log.Error("authenticating a token", "err", err, "request_id", RequestIDFrom(ctx.Context()))
		_ = huma.WriteErr(a.api, ctx, http.StatusServiceUnavailable, "the database is unavailable; try again")
		return
	}
	if ok, wait := a.limit.Allow(fmt.Sprint(t.ID)); !ok {
		secs := int64((wait + time.Second - 1) / time.Second)
		ctx.SetHeader("Retry-After", fmt.Sprint(max(secs, 1)))
		_ = huma.WriteErr(a.api, ctx, http.StatusTooManyRequests, "too many requests with this token; slow down")
		return
	}
	if scope == store.ScopeDecide && t.Scope != store.ScopeDecide {
		_ = huma.WriteErr(a.api, ctx, http.StatusForbidden,
			fmt.Sprintf("token %q has the %s scope; approving, rejecting and creating need decide", t.Name, t.Scope))
		return
	}
	next(huma.WithValue(ctx, tokenKey{}, t))
}

// problem turns an error from the workflow into a problem document: bad
// input 422, a missing record 404, a record that moved on 409. Anything else
// is logged once here and answered 500 with the request id.
func (a *apiServer) problem(ctx context.Context, err error) error {
	if fe, ok := errors.AsType[*workflow.FieldError](err); ok {
		return huma.Error422UnprocessableEntity(fe.Message, &huma.ErrorDetail{
			Message: fe.Message, Location: "body." + fe.Field})
	}
	if ce, ok := errors.AsType[*workflow.ChangedError](err); ok {
		return huma.Error409Conflict(ce.Error())
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return huma.Error404NotFound("not found")
	case errors.Is(err, store.ErrConflict):
		return huma.Error409Conflict("it changed meanwhile; reread and try again")
	case errors.Is(err, store.ErrInvalid):
		return huma.Error422UnprocessableEntity("the input was refused")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return huma.Error503ServiceUnavailable("the request was cancelled or timed out")
	}
	id := RequestIDFrom(ctx)
	a.log.Error("API request failed", "err", err, "request_id", id)
	return huma.Error500InternalServerError("something went wrong on our side (request id " + id + ")")
}

// recoverProblems answers a panic with a problem document, logged once.
func (a *apiServer) recoverProblems(next http.Handler) http.Handler {
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
			a.log.ErrorContext(r.Context(), "panic serving API request",
				"request_id", RequestIDFrom(r.Context()), "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if tw.wrote {
				panic(http.ErrAbortHandler)
			}
			writeProblem(w, http.StatusInternalServerError,
				"something went wrong on our side (request id "+RequestIDFrom(r.Context())+")")
		}()
		next.ServeHTTP(tw, r)
	})
}

// problemHandler answers every request with one problem.
func problemHandler(status int, detail string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeProblem(w, status, detail) }
}

// writeProblem writes an RFC 9457 problem document outside huma's handlers.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	b, _ := json.Marshal(huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: detail})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
