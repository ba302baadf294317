package portal

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

var ok204 = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })

func TestSecureHeaders(t *testing.T) {
	tests := []struct {
		name     string
		cfg      HeadersConfig
		wantHSTS string
	}{
		{"plain http", HeadersConfig{}, ""},
		{"tls", HeadersConfig{HSTS: 365 * 24 * time.Hour}, "max-age=31536000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			SecureHeaders(tt.cfg)(ok204).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			h := rec.Header()
			want := map[string]string{
				"Content-Security-Policy":    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
				"X-Content-Type-Options":     "nosniff",
				"Referrer-Policy":            "no-referrer",
				"Cross-Origin-Opener-Policy": "same-origin",
				"Strict-Transport-Security":  tt.wantHSTS,
			}
			for k, v := range want {
				if got := h.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if !strings.Contains(h.Get("Permissions-Policy"), "camera=()") {
				t.Errorf("Permissions-Policy = %q", h.Get("Permissions-Policy"))
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	var seen string
	h := RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = RequestIDFrom(r.Context()) }))
	ids := map[string]bool{}
	for range 50 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Request-Id", "forged\nid")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		got := rec.Header().Get("X-Request-Id")
		if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(got) || got != seen {
			t.Fatalf("header %q, context %q; want the same 16 hex digits", got, seen)
		}
		ids[got] = true
	}
	if len(ids) != 50 {
		t.Errorf("%d distinct ids of 50", len(ids))
	}
	if RequestIDFrom(t.Context()) != "" {
		t.Error("RequestIDFrom(empty context) not empty")
	}
}

func TestRecover(t *testing.T) {
	rd := newTestRenderer(t)
	var logBuf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logBuf, nil))
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantPage   bool
		wantLog    bool
	}{
		{"no panic", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, 204, false, false},
		{"panic", func(w http.ResponseWriter, r *http.Request) { panic("boom: secret detail") }, 500, true, true},
		{"nil map", func(w http.ResponseWriter, r *http.Request) {
			var m map[string]int
			m["x"] = 1
		}, 500, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logBuf.Reset()
			rec := httptest.NewRecorder()
			RequestID(Recover(log, rd)(tt.handler)).ServeHTTP(rec, httptest.NewRequest("POST", "/signup", nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			id := rec.Header().Get("X-Request-Id")
			body := rec.Body.String()
			if tt.wantPage && !containsAll(body, "something went wrong", id) {
				t.Errorf("error page lacks message or request id %s", id)
			}
			if strings.Contains(body, "secret detail") || strings.Contains(body, "goroutine") {
				t.Error("error page leaks panic details")
			}
			logged := logBuf.String()
			if tt.wantLog != (logged != "") {
				t.Fatalf("log = %q, want logged=%v", logged, tt.wantLog)
			}
			if tt.wantLog && !containsAll(logged, id, "/signup", "stack") {
				t.Errorf("log lacks request id, path or stack: %s", logged)
			}
		})
	}
}

func TestRecover_abortHandler(t *testing.T) {
	rd := newTestRenderer(t)
	h := Recover(slog.New(slog.DiscardHandler), rd)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler passed on", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestRecover_afterWrite(t *testing.T) {
	rd := newTestRenderer(t)
	h := Recover(slog.New(slog.DiscardHandler), rd)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		panic("late")
	}))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want the connection aborted", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestLimitBody(t *testing.T) {
	rd := newTestRenderer(t)
	handler := LimitBody(1024, rd)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rd.ParseForm(w, r) {
			return
		}
		w.WriteHeader(204)
	}))
	small := url.Values{"company_name": {"Acme"}}.Encode()
	big := url.Values{"company_name": {strings.Repeat("a", 2000)}}.Encode()
	tests := []struct {
		name       string
		body       string
		chunked    bool
		ctype      string
		wantStatus int
	}{
		{"small", small, false, "application/x-www-form-urlencoded", 204},
		{"declared too large", big, false, "application/x-www-form-urlencoded", 413},
		{"chunked too large", big, true, "application/x-www-form-urlencoded", 413},
		{"bad encoding", "a=%zz", false, "application/x-www-form-urlencoded", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/signup", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ctype)
			if tt.chunked {
				r.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus == 413 && !strings.Contains(rec.Body.String(), "more data than we accept") {
				t.Error("413 page lacks its message")
			}
		})
	}
}

func TestCrossOriginProtection(t *testing.T) {
	rd := newTestRenderer(t)
	if _, err := CrossOriginProtection(rd, []string{"not a url"}); err == nil {
		t.Fatal("bad trusted origin accepted")
	}
	mw, err := CrossOriginProtection(rd, []string{"https://www.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h := RequestID(mw(ok204))
	tests := []struct {
		name       string
		method     string
		headers    map[string]string
		wantStatus int
	}{
		{"same origin", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, 204},
		{"cross site", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross origin header only", "POST", map[string]string{"Origin": "https://evil.example"}, 403},
		{"trusted origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://www.example.com"}, 204},
		{"no browser headers", "POST", nil, 204},
		{"cross-site GET", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://portal.test/signup", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus == 403 && !containsAll(rec.Body.String(), "sent from another site", rec.Header().Get("X-Request-Id")) {
				t.Error("403 page lacks its message or request id")
			}
		})
	}
}

func TestRenderer_Error(t *testing.T) {
	rd := newTestRenderer(t)
	tests := []struct {
		status int
		want   string
	}{
		{404, "Page not found"}, {429, "Too many attempts"}, {400, "could not read"}, {500, "went wrong"}, {503, "unavailable"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		rd.Error(rec, httptest.NewRequest("GET", "/x", nil), tt.status)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("Error(%d): status %d, body lacks %q", tt.status, rec.Code, tt.want)
		}
	}
	rec := httptest.NewRecorder()
	rd.NotFound(rec, httptest.NewRequest("GET", "/nope", nil))
	if rec.Code != 404 {
		t.Errorf("NotFound status %d", rec.Code)
	}
}

// The security headers' values are shared by every response: a handler
// adding to one, or replacing it, changes its own response only.
func TestSecureHeaders_sharedValuesStayPut(t *testing.T) {
	h := SecureHeaders(HeadersConfig{HSTS: time.Hour})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/add":
			w.Header().Add("X-Frame-Options", "SAMEORIGIN")
			w.Header()["Referrer-Policy"][0] = "unsafe-url" // in place, on this response's own slice
		case "/set":
			w.Header().Set("Content-Security-Policy", "default-src *")
		}
	}))
	for _, path := range []string{"/add", "/set", "/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if path == "/add" {
			if got := rec.Header().Values("X-Frame-Options"); len(got) != 2 {
				t.Errorf("/add: X-Frame-Options %q", got)
			}
			continue
		}
		if path == "/set" {
			continue
		}
		for k, want := range map[string]string{"X-Frame-Options": "DENY", "Content-Security-Policy": ContentSecurityPolicy,
			"Referrer-Policy": "no-referrer", "Strict-Transport-Security": "max-age=3600"} {
			if got := rec.Header().Values(k); len(got) != 1 || got[0] != want {
				t.Errorf("after other responses changed theirs, %s is %q, want %q", k, got, want)
			}
		}
	}
}
