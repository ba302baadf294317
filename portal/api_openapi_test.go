package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/go-chi/chi/v5"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// openAPIDoc fetches the document the server publishes, without a token.
func openAPIDoc(t *testing.T, h http.Handler) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// apiContract is the document the API publishes, checked as it loads
// (kin-openapi: an OpenAPI 3.1 document, its schemas JSON Schema 2020-12),
// with a router to its operations.
type apiContract struct {
	doc    *openapi3.T
	router routers.Router
	server *url.URL // the document's server: where its paths are
}

// documentedAPI loads the document h publishes; one kin-openapi finds
// invalid fails the test.
func documentedAPI(t *testing.T, h http.Handler) apiContract {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDoc(t, h))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 {
		t.Fatalf("the document names %d servers, want 1", len(doc.Servers))
	}
	server, err := url.Parse(doc.Servers[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	return apiContract{doc: doc, router: router, server: server}
}

// check reports where the exchange of req (sent with body) and res departs
// from the document: the request, when checkRequest, and the response,
// whose status must be one the operation documents.
func (c apiContract) check(t *testing.T, req *http.Request, body string, res *httptest.ResponseRecorder, checkRequest bool) {
	t.Helper()
	req.URL.Scheme, req.URL.Host = c.server.Scheme, c.server.Host
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s: no documented operation: %v", req.Method, req.URL, err)
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	ctx := context.Background()
	if checkRequest {
		req.Body = io.NopCloser(strings.NewReader(body))
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s: request not as documented: %v", req.Method, req.URL, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Code,
		Header: res.Header(), Options: opts}
	out.SetBodyBytes(res.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s %s: %d response not as documented: %v", req.Method, req.URL, res.Code, err)
	}
}

func TestAPI_OpenAPIDocument(t *testing.T) {
	tp := newTestPortal(t)
	s, h, err := build(Deps{DB: tp.db, Service: tp.svc, hashParams: testHashParams})
	if err != nil {
		t.Fatal(err)
	}
	raw := openAPIDoc(t, h)
	if doc := documentedAPI(t, h).doc; !doc.IsOpenAPI31OrLater() || !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("OpenAPI version %q, want 3.1", doc.OpenAPI)
	}

	var parsed struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &parsed); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range parsed.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	err = chi.Walk(s.api.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served[method+" "+strings.TrimPrefix(route, APIPrefix)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	delete(served, "GET /openapi.json") // the document itself
	for r := range served {
		if !documented[r] {
			t.Errorf("%s is served but not in the document", r)
		}
	}
	for r := range documented {
		if !served[r] {
			t.Errorf("%s is documented but not served", r)
		}
	}
	if len(served) != 7 {
		t.Errorf("%d routes served, want the 7 of the contract: %v", len(served), served)
	}

	// The statuses a list takes are the workflow's.
	var enums struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				Schema struct {
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &enums); err != nil {
		t.Fatal(err)
	}
	var requestStatuses, userRequestStatuses []string
	for _, s := range domain.RequestStatuses {
		requestStatuses = append(requestStatuses, string(s))
	}
	for _, s := range domain.UserRequestStatuses {
		userRequestStatuses = append(userRequestStatuses, string(s))
	}
	for path, want := range map[string][]string{"/requests": requestStatuses,
		"/user-requests": userRequestStatuses} {
		for _, p := range enums.Paths[path]["get"].Parameters {
			if p.Name == "status" && !slices.Equal(p.Schema.Enum, want) {
				t.Errorf("%s status enum %v, want %v", path, p.Schema.Enum, want)
			}
		}
	}
}

// apiCase is one request of the bad-input table.
type apiCase struct {
	name, method, path, body string
	status                   int
}

func TestAPI_BadInputGetsProblems(t *testing.T) {
	tp := newTestPortal(t)
	ctx := context.Background()
	decider := tp.token("erp", store.ScopeDecide)
	verified := tp.verifiedRequest(1)
	approved := tp.verifiedRequest(2)
	if _, err := tp.svc.Approve(ctx, workflow.Action{Number: approved, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	api := documentedAPI(t, tp.h)
	long := strings.Repeat("x", 1001)
	cases := []apiCase{
		{"unknown status", "GET", "/api/v1/requests?status=pending", "", 422},
		{"limit zero", "GET", "/api/v1/requests?limit=0", "", 422},
		{"limit not a number", "GET", "/api/v1/requests?limit=ten", "", 422},
		{"limit too large", "GET", "/api/v1/requests?limit=100000", "", 422},
		{"cursor garbage", "GET", "/api/v1/requests?cursor=not*base64", "", 400},
		{"cursor of another list", "GET", "/api/v1/requests?cursor=" + encodeCursor("customers", "C1"), "", 400},
		{"cursor not a position", "GET", "/api/v1/requests?cursor=" + encodeCursor("requests", "x"), "", 400},
		{"search too long", "GET", "/api/v1/requests?search=" + long, "", 422},
		{"unknown request", "GET", "/api/v1/requests/REG-999999", "", 404},
		{"number too long", "GET", "/api/v1/requests/" + strings.Repeat("9", 65), "", 422},
		{"approve unknown", "POST", "/api/v1/requests/REG-999999/approve", "", 404},
		{"approve approved", "POST", "/api/v1/requests/" + approved + "/approve", "", 409},
		{"reject without body", "POST", "/api/v1/requests/" + verified + "/reject", "", 400},
		{"reject bad JSON", "POST", "/api/v1/requests/" + verified + "/reject", `{"reason":`, 400},
		{"reject wrong type", "POST", "/api/v1/requests/" + verified + "/reject", `{"reason":7}`, 422},
		{"reject unknown reason", "POST", "/api/v1/requests/" + verified + "/reject", `{"reason":"nope"}`, 422},
		{"reject other without comment", "POST", "/api/v1/requests/" + verified + "/reject", `{"reason":"other"}`, 422},
		{"reject comment too long", "POST", "/api/v1/requests/" + verified + "/reject", `{"reason":"other","comment":"` + long + `"}`, 422},
		{"reject unknown field", "POST", "/api/v1/requests/" + verified + "/reject", `{"reason":"duplicate","why":"x"}`, 422},
		{"reject too large", "POST", "/api/v1/requests/" + verified + "/reject", `{"reason":"other","comment":"` + strings.Repeat("y", 20000) + `"}`, 413},
		{"create unapproved", "POST", "/api/v1/requests/" + verified + "/create", "", 409},
		{"create unknown template", "POST", "/api/v1/requests/" + approved + "/create", `{"template":"NOPE"}`, 422},
		{"create unknown account", "POST", "/api/v1/requests/" + approved + "/create", `{"existing":"C99999"}`, 422},
		{"create unknown role", "POST", "/api/v1/requests/" + approved + "/create", `{"role":"root"}`, 422},
		{"create bad JSON", "POST", "/api/v1/requests/" + approved + "/create", `[`, 400},
		{"customers bad cursor", "GET", "/api/v1/customers?cursor=" + encodeCursor("requests", "1"), "", 400},
		{"customers limit", "GET", "/api/v1/customers?limit=-1", "", 422},
		{"user requests unknown status", "GET", "/api/v1/user-requests?status=done", "", 422},
		{"user requests bad cursor", "GET", "/api/v1/user-requests?cursor=bm9wZQ", "", 400},
		{"unknown route", "GET", "/api/v1/nope", "", 404},
		{"unknown version", "GET", "/api/v2/requests", "", 404},
		{"wrong method", "DELETE", "/api/v1/requests", "", 405},
	}
	before := snapshot(t, tp.db)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+decider)
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			tp.h.ServeHTTP(rec, req)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%d, not JSON: %s", rec.Code, rec.Body)
			}
			isProblem(t, rec.Code, rec.Header().Get("Content-Type"), body, c.status)
			if c.status != http.StatusMethodNotAllowed && strings.HasPrefix(c.path, "/api/v1/requests") || strings.HasPrefix(c.path, "/api/v1/customers") ||
				strings.HasPrefix(c.path, "/api/v1/user-requests") {
				// The answer matches what the document says of it.
				api.check(t, httptest.NewRequest(c.method, c.path, nil), c.body, rec, false)
			}
		})
	}
	if after := snapshot(t, tp.db); after != before {
		t.Fatalf("bad input changed the database:\n%s\n%s", before, after)
	}
}

// snapshot summarises what an API call could change.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	var b bytes.Buffer
	for _, q := range []string{`SELECT count(*) FROM audit`, `SELECT count(*) FROM customers`,
		`SELECT count(*) FROM outbox`} {
		var s string
		if err := db.WriteDB().QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + ";")
	}
	rows, err := db.WriteDB().Query(`SELECT number || status FROM customer_requests ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + ",")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAPI_ListsAndCreateAsDocumented(t *testing.T) {
	tp := newTestPortal(t)
	api := documentedAPI(t, tp.h)
	tok := tp.token("erp", store.ScopeDecide)
	call := func(method, path, body string, want int) map[string]any {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		tp.h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, rec.Body)
		}
		check := httptest.NewRequest(method, path, nil)
		check.Header.Set("Content-Type", "application/json")
		check.Header.Set("Authorization", "Bearer "+tok)
		api.check(t, check, body, rec, true)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var numbers []string
	for i := range 3 {
		numbers = append(numbers, tp.verifiedRequest(i+1))
	}
	first := call("GET", "/api/v1/requests?status=verified&limit=2", "", 200)
	if items := first["items"].([]any); len(items) != 2 || items[0].(map[string]any)["number"] != numbers[0] {
		t.Fatalf("first page: %v", first)
	}
	next := first["next_cursor"].(string)
	second := call("GET", "/api/v1/requests?status=verified&limit=2&cursor="+next, "", 200)
	if items := second["items"].([]any); len(items) != 1 || items[0].(map[string]any)["number"] != numbers[2] ||
		second["next_cursor"] != "" {
		t.Fatalf("second page: %v", second)
	}
	if r := call("GET", "/api/v1/requests/"+numbers[1], "", 200); r["company_name"] != "Api Test 2 GmbH" {
		t.Fatalf("show: %v", r)
	}
	call("POST", "/api/v1/requests/"+numbers[0]+"/approve", "", 200)
	created := call("POST", "/api/v1/requests/"+numbers[0]+"/create", `{"template":"EU","role":"customer_admin"}`, 200)
	account := created["customer"].(map[string]any)["account"]
	if created["new_customer"] != true || created["customer"].(map[string]any)["currency"] != "EUR" ||
		created["user_request"].(map[string]any)["role"] != "customer_admin" {
		t.Fatalf("create: %v", created)
	}
	call("POST", "/api/v1/requests/"+numbers[1]+"/reject", `{"reason":"other","comment":"Outside our market."}`, 200)

	var accounts []any
	cursor := ""
	for {
		page := call("GET", "/api/v1/customers?limit=1&cursor="+cursor, "", 200)
		for _, it := range page["items"].([]any) {
			accounts = append(accounts, it.(map[string]any)["account"])
		}
		if cursor = page["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if !slices.Contains(accounts, account) || len(accounts) != 3 { // two from the fixture
		t.Fatalf("customers: %v", accounts)
	}
	urs := call("GET", "/api/v1/user-requests?status=submitted", "", 200)
	if items := urs["items"].([]any); len(items) != 1 || items[0].(map[string]any)["request_number"] != numbers[0] {
		t.Fatalf("user requests: %v", urs)
	}
}
