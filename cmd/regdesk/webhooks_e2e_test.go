package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// erp is a webhook receiver as an ERP would run it: it checks every
// signature, drops repeats by webhook-id and can be down for maintenance.
type erp struct {
	t   *testing.T
	key []byte

	mu       sync.Mutex
	down     bool
	attempts int
	bad      int
	events   map[string]map[string]any // webhook-id → body, once each
}

func (e *erp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.attempts++
	if e.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	m := hmac.New(sha256.New, e.key)
	m.Write([]byte(id + "." + ts + "." + string(body)))
	if r.Header.Get("webhook-signature") != "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
		e.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if _, seen := e.events[id]; !seen {
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			e.t.Errorf("not JSON: %s", body)
		}
		e.events[id] = v
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *erp) setDown(d bool) { e.mu.Lock(); e.down = d; e.mu.Unlock() }

func (e *erp) ofType(typ string) []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []map[string]any
	for _, v := range e.events {
		if v["type"] == typ {
			out = append(out, v)
		}
	}
	return out
}

// api calls the HTTP API with a token and decodes the JSON answer.
func api(t *testing.T, method, u, token, body string, want int) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d\n%s", method, u, resp.StatusCode, want, b)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, u, b)
	}
	return v
}

func TestServe_WebhooksAndAPI(t *testing.T) {
	t.Parallel()
	data := newData(t)
	rcv := &erp{t: t, events: map[string]map[string]any{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()

	decider := strings.TrimSpace(regdesk(t, data, "", "tokens", "add", "erp", "--scope", "decide").ok(t))
	reader := strings.TrimSpace(regdesk(t, data, "", "tokens", "add", "reports", "--scope", "read").ok(t))
	secret := strings.TrimSpace(regdesk(t, data, "", "webhooks", "add", srv.URL+"/regdesk",
		"--events", "request.verified,request.approved,customer.created,user.provisioned").ok(t))
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("webhooks add printed %q", secret)
	}
	rcv.key = key
	rcv.setDown(true) // the ERP is down for the first part

	p := startServe(t, data, nil, "--allow-private-webhooks")
	noFollow := &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// Sign up and activate as the prospect does.
	form := url.Values{"company_name": {"Northwind Traders Ltd"}, "street": {"12 Harbour Road"},
		"city": {"Leeds"}, "postal_code": {"LS1 4AP"}, "country": {"GB"}, "first_name": {"Nancy"},
		"last_name": {"Davolio"}, "email": {"nancy@northwind.example"}, "phone": {"+44 113 496 0000"},
		"username": {"nancy"}, "password": {"correct horse battery staple"}}
	fetch(t, noFollow, http.MethodPost, p.url+"/signup", form, http.StatusSeeOther)
	link := activationLinkFromDir(t, filepath.Join(data, "mail"), 20*time.Second)
	page := fetch(t, noFollow, http.MethodGet, link, nil, http.StatusOK)
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no token in the activate page")
	}
	fetch(t, noFollow, http.MethodPost, p.url+"/activate", url.Values{"token": {html.UnescapeString(m[1])}}, http.StatusOK)

	// Find it, approve and create through the API.
	list := api(t, "GET", p.url+"/api/v1/requests?status=verified", reader, "", http.StatusOK)
	items := list["items"].([]any)
	if len(items) != 1 || list["next_cursor"] != "" {
		t.Fatalf("verified requests: %v", list)
	}
	number := items[0].(map[string]any)["number"].(string)
	api(t, "POST", p.url+"/api/v1/requests/"+number+"/approve", reader, "", http.StatusForbidden)
	if r := api(t, "POST", p.url+"/api/v1/requests/"+number+"/approve", decider, "", http.StatusOK); r["status"] != "approved" {
		t.Fatalf("approve: %v", r)
	}
	created := api(t, "POST", p.url+"/api/v1/requests/"+number+"/create", decider, `{"template":"EU"}`, http.StatusOK)
	account := created["customer"].(map[string]any)["account"].(string)
	if account == "" || created["request"].(map[string]any)["status"] != "created" {
		t.Fatalf("create: %v", created)
	}
	regdesk(t, data, "", "tokens", "revoke", "reports").ok(t)
	api(t, "GET", p.url+"/api/v1/customers", reader, "", http.StatusUnauthorized)

	// Attempts fail while the ERP is down; serve restarts in the middle.
	waitFor(t, 30*time.Second, "delivery attempts during the outage", func() bool {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		return rcv.attempts >= 4
	})
	p.stop(t)
	rcv.setDown(false)
	p = startServe(t, data, nil, "--allow-private-webhooks")
	defer p.stop(t)
	waitFor(t, 90*time.Second, "every event at the ERP", func() bool {
		return len(rcv.ofType("user.provisioned")) == 1 && len(rcv.ofType("customer.created")) == 1 &&
			len(rcv.ofType("request.approved")) == 1 && len(rcv.ofType("request.verified")) == 1
	})
	rcv.mu.Lock()
	bad, n := rcv.bad, len(rcv.events)
	rcv.mu.Unlock()
	if bad != 0 || n != 4 {
		t.Fatalf("%d bad signatures, %d events (want 4)", bad, n)
	}
	cc := rcv.ofType("customer.created")[0]["data"].(map[string]any)
	if cc["account"] != account || cc["customer"].(map[string]any)["currency"] != "EUR" ||
		cc["contact"].(map[string]any)["email"] != "nancy@northwind.example" {
		t.Fatalf("customer.created: %v", cc)
	}
	var ds []struct {
		Event        string `json:"event"`
		Status       string `json:"status"`
		ResponseCode int    `json:"response_code"`
		Attempts     int    `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(regdesk(t, data, "", "webhooks", "deliveries", "--json").ok(t)), &ds); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Status != "delivered" || d.ResponseCode != http.StatusNoContent || d.Attempts < 1 {
			t.Errorf("delivery %+v", d)
		}
	}
}

func TestCLI_WebhooksAndTokensBadInput(t *testing.T) {
	t.Parallel()
	data := newData(t)
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("not-a-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	regdesk(t, data, "", "tokens", "add", "erp", "--scope", "decide").ok(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"webhooks", "add", "https://erp.example.com/h"}, "--events is required"},
		{[]string{"webhooks", "add", "ftp://erp.example.com/h", "--events", "customer.created"}, "only http and https"},
		{[]string{"webhooks", "add", "https://user:pw@erp.example.com/h", "--events", "customer.created"}, "no user name or password"},
		{[]string{"webhooks", "add", "https://erp.example.com/h", "--events", "customer.deleted"}, `unknown event "customer.deleted"`},
		{[]string{"webhooks", "add", "https://erp.example.com/h", "--events", "customer.created", "--secret-file", secretFile}, "starts with \"whsec_\""},
		{[]string{"webhooks", "add", "https://erp.example.com/h", "--events", "customer.created", "--secret-file", secretFile + ".missing"}, "--secret-file"},
		{[]string{"webhooks", "remove", "x"}, "not a webhook number"},
		{[]string{"webhooks", "remove", "7"}, "not found"},
		{[]string{"webhooks", "test", "7"}, "not found"},
		{[]string{"webhooks", "deliveries", "--status", "lost"}, `unknown status "lost"`},
		{[]string{"webhooks", "deliveries", "--retry", "7"}, "not found"},
		{[]string{"tokens", "add", "reader"}, "--scope read|decide"},
		{[]string{"tokens", "add", "reader", "--scope", "admin"}, "--scope read|decide"},
		{[]string{"tokens", "add", "erp", "--scope", "read"}, `a token named "erp" exists`},
		{[]string{"tokens", "add", "two words", "--scope", "read"}, "without spaces"},
		{[]string{"tokens", "revoke", "nobody"}, "not found"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			regdesk(t, data, "", c.args...).fails(t, c.want)
		})
	}
	var hooks []map[string]any
	if err := json.Unmarshal([]byte(regdesk(t, data, "", "webhooks", "list", "--json").ok(t)), &hooks); err != nil || len(hooks) != 0 {
		t.Fatalf("refused adds left webhooks: %v %v", hooks, err)
	}
	var toks []map[string]any
	if err := json.Unmarshal([]byte(regdesk(t, data, "", "tokens", "list", "--json").ok(t)), &toks); err != nil ||
		len(toks) != 1 || toks[0]["name"] != "erp" || toks[0]["scope"] != "decide" {
		t.Fatalf("tokens: %v %v", toks, err)
	}
	if out := regdesk(t, data, "", "tokens", "list").ok(t); strings.Contains(out, "rdk_") {
		t.Fatalf("tokens list shows a token:\n%s", out)
	}
}
