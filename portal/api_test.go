package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// apiCall makes one API request on the real router and returns the status,
// the content type and the decoded JSON body.
func (tp *testPortal) apiCall(method, path, token, body string, hdr ...string) (int, string, map[string]any) {
	tp.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	tp.h.ServeHTTP(rec, req)
	var out map[string]any
	if b := rec.Body.Bytes(); len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			tp.t.Fatalf("%s %s: %d, not JSON: %s", method, path, rec.Code, b)
		}
	}
	return rec.Code, rec.Header().Get("Content-Type"), out
}

func (tp *testPortal) token(name, scope string) string {
	tp.t.Helper()
	tok, _, err := tp.svc.AddAPIToken(context.Background(), name, scope, "operator")
	if err != nil {
		tp.t.Fatal(err)
	}
	return tok
}

// verifiedRequest signs up and activates a prospect; it returns the number.
func (tp *testPortal) verifiedRequest(i int) string {
	tp.t.Helper()
	ctx := context.Background()
	res, err := tp.svc.SignUp(ctx, workflow.SignupInput{CompanyName: fmt.Sprintf("Api Test %d GmbH", i),
		Street: "Hauptstr. 1", City: "Berlin", PostalCode: "10115", Country: "DE", FirstName: "Ina",
		LastName: "Api", Email: fmt.Sprintf("ina%d@api%d.example", i, i), Phone: "+49 30 1234567",
		Username: fmt.Sprintf("ina%d", i), PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"})
	if err != nil {
		tp.t.Fatal(err)
	}
	if _, err := tp.svc.Activate(ctx, res.Token); err != nil {
		tp.t.Fatal(err)
	}
	return res.Number
}

func isProblem(t *testing.T, status int, ct string, body map[string]any, want int) {
	t.Helper()
	if status != want {
		t.Fatalf("status %d, want %d: %v", status, want, body)
	}
	if ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json (%v)", ct, body)
	}
	if int(body["status"].(float64)) != want || body["title"] == "" || body["detail"] == nil {
		t.Fatalf("not a problem document: %v", body)
	}
}

func TestAPI_Tokens(t *testing.T) {
	tp := newTestPortal(t)
	reader, decider := tp.token("erp-read", store.ScopeRead), tp.token("erp", store.ScopeDecide)
	number := tp.verifiedRequest(1)

	t.Run("no token", func(t *testing.T) {
		st, ct, body := tp.apiCall("GET", "/api/v1/requests", "", "")
		isProblem(t, st, ct, body, http.StatusUnauthorized)
	})
	t.Run("unknown token", func(t *testing.T) {
		st, ct, body := tp.apiCall("GET", "/api/v1/requests", "rdk_not-a-real-token", "")
		isProblem(t, st, ct, body, http.StatusUnauthorized)
	})
	t.Run("a session cookie does not authenticate", func(t *testing.T) {
		st, ct, body := tp.apiCall("GET", "/api/v1/requests", "", "", "Cookie", "regdesk_session=whatever")
		isProblem(t, st, ct, body, http.StatusUnauthorized)
	})
	t.Run("read scope cannot decide", func(t *testing.T) {
		st, ct, body := tp.apiCall("POST", "/api/v1/requests/"+number+"/approve", reader, "")
		isProblem(t, st, ct, body, http.StatusForbidden)
		if r, _ := tp.db.Read().RequestByNumber(context.Background(), number); r.Status != domain.Verified {
			t.Fatalf("status %s after a refused approve", r.Status)
		}
	})
	t.Run("decide approves, audited with the token's name", func(t *testing.T) {
		st, _, body := tp.apiCall("POST", "/api/v1/requests/"+number+"/approve", decider, "",
			"Origin", "https://elsewhere.example", "Sec-Fetch-Site", "cross-site")
		if st != http.StatusOK || body["status"] != string(domain.Approved) {
			t.Fatalf("approve: %d %v", st, body)
		}
		last, err := tp.db.Read().LastAudit(context.Background(), store.EntityRequest, number)
		if err != nil || last.Actor != "erp" || !strings.Contains(last.Action, "approve") {
			t.Fatalf("audit: %+v %v", last, err)
		}
	})
	t.Run("twice is a conflict", func(t *testing.T) {
		st, ct, body := tp.apiCall("POST", "/api/v1/requests/"+number+"/approve", decider, "")
		isProblem(t, st, ct, body, http.StatusConflict)
	})
	t.Run("revoked is refused at once", func(t *testing.T) {
		if st, _, _ := tp.apiCall("GET", "/api/v1/customers", reader, ""); st != http.StatusOK {
			t.Fatalf("before revoking: %d", st)
		}
		if _, err := tp.svc.RevokeAPIToken(context.Background(), "erp-read", "operator"); err != nil {
			t.Fatal(err)
		}
		st, ct, body := tp.apiCall("GET", "/api/v1/customers", reader, "")
		isProblem(t, st, ct, body, http.StatusUnauthorized)
	})
	t.Run("last use recorded", func(t *testing.T) {
		ts, err := tp.db.Read().APITokens(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ts {
			if tk.LastUsedAt == nil {
				t.Errorf("token %s: no last use", tk.Name)
			}
		}
	})
}

func TestAPI_RateLimitPerToken(t *testing.T) {
	tp := newTestPortal(t)
	h, err := New(Deps{DB: tp.db, Service: tp.svc, Now: tp.clock.Now, APIRequestsPerMinute: 3, hashParams: testHashParams})
	if err != nil {
		t.Fatal(err)
	}
	tp.h = h
	a, b := tp.token("a", store.ScopeRead), tp.token("b", store.ScopeRead)
	for i := range 3 {
		if st, _, body := tp.apiCall("GET", "/api/v1/customers", a, ""); st != http.StatusOK {
			t.Fatalf("call %d: %d %v", i, st, body)
		}
	}
	st, ct, body := tp.apiCall("GET", "/api/v1/customers", a, "")
	isProblem(t, st, ct, body, http.StatusTooManyRequests)
	if st, _, _ := tp.apiCall("GET", "/api/v1/customers", b, ""); st != http.StatusOK {
		t.Fatalf("another token is limited too: %d", st)
	}
}
