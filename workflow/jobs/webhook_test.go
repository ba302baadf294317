package jobs_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/jobs"
	"github.com/regdesk/regdesk/workflow/mailer"
	"github.com/regdesk/regdesk/workflow/webhook"
)

// hookReceiver is an ERP's endpoint: it checks every signature with its own
// HMAC code, drops repeats by webhook-id, and can be taken down.
type hookReceiver struct {
	t   *testing.T
	srv *httptest.Server
	key []byte

	mu       sync.Mutex
	down     bool
	attempts int
	bad      int
	effects  map[string]map[string]any // webhook-id → body: what took effect once
	order    []string                  // types in the order they took effect
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	r := &hookReceiver{t: t, key: key, effects: map[string]map[string]any{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if r.down {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(id + "." + ts + "." + string(body)))
	if req.Header.Get("webhook-signature") != "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if _, dup := r.effects[id]; dup {
		w.WriteHeader(http.StatusOK) // seen already: acknowledged, no second effect
		return
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		r.t.Errorf("body is not JSON: %s", body)
	}
	r.effects[id] = v
	r.order = append(r.order, v["type"].(string))
	w.WriteHeader(http.StatusNoContent)
}

func (r *hookReceiver) setDown(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

func (r *hookReceiver) stats() (attempts, effects, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts, len(r.effects), r.bad
}

func (r *hookReceiver) byType(typ string) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, v := range r.effects {
		if v["type"] == typ {
			out = append(out, v)
		}
	}
	return out
}

func addHook(t *testing.T, svc *workflow.Service, url string, events ...string) store.WebhookEndpoint {
	t.Helper()
	if len(events) == 0 {
		events = workflow.HookEvents
	}
	e, err := svc.AddWebhook(context.Background(), workflow.WebhookInput{URL: url, Events: events, Actor: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func deliveries(t testing.TB, db *store.DB) []store.Delivery {
	t.Helper()
	ds, err := db.Read().Deliveries(context.Background(), store.ListDeliveries{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestWebhooks_ExactlyOnceAcrossOutageAndRestart(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOpts{webhooks: webhook.NewClient(webhook.Config{AllowPrivate: true}), noStart: true})
	ep := addHook(t, e.svc, "http://placeholder.invalid/")
	rcv := newHookReceiver(t, ep.Secret)
	if err := e.svc.RemoveWebhook(ctx, ep.ID, "operator"); err != nil {
		t.Fatal(err)
	}
	ep, err := e.svc.AddWebhook(ctx, workflow.WebhookInput{URL: rcv.srv.URL + "/hooks", Events: workflow.HookEvents,
		Secret: ep.Secret, Actor: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	rcv.setDown(true)

	// Events are recorded with their changes even while nothing runs.
	number := approved(t, e.svc, 1)
	ur := create(t, e.svc, number)
	e.start(t)
	waitFor(t, 15*time.Second, "attempts during the outage", func() bool {
		a, _, _ := rcv.stats()
		return a >= 6
	})
	u := waitStatus(t, e.db, ur.ID, domain.URCompleted)

	// The process stops mid-outage; a new one (serve restarted) takes over.
	if err := e.runner.Stop(); err != nil {
		t.Fatal(err)
	}
	user, err := e.db.Read().UserByUserRequest(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.InactivateUser(ctx, user.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	rcv.setDown(false)
	sender, err := mailer.NewFileSender(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	second, err := jobs.New(ctx, jobs.Config{DB: e.db, Service: e.svc, Sender: sender, Backoff: fast,
		PollInterval: 50 * time.Millisecond, StopTimeout: 5 * time.Second, TestOnly: true,
		Webhooks: webhook.NewClient(webhook.Config{AllowPrivate: true})})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Stop() })
	waitFor(t, 15*time.Second, "every delivery delivered", func() bool {
		for _, d := range deliveries(t, e.db) {
			if d.Status != store.DeliveryDelivered {
				return false
			}
		}
		return true
	})

	attempts, effects, bad := rcv.stats()
	if bad != 0 {
		t.Fatalf("%d requests had a bad signature", bad)
	}
	if effects != 5 {
		t.Fatalf("%d events took effect, want 5 (verified, approved, customer.created, user.provisioned, user.inactivated)", effects)
	}
	if attempts <= effects {
		t.Fatalf("%d attempts for %d events: the outage was not exercised", attempts, effects)
	}
	for _, typ := range []string{workflow.HookRequestVerified, workflow.HookRequestApproved,
		workflow.HookCustomerCreated, workflow.HookUserProvisioned, workflow.HookUserInactivated} {
		if got := rcv.byType(typ); len(got) != 1 {
			t.Errorf("%s took effect %d times", typ, len(got))
		}
	}
	created := rcv.byType(workflow.HookCustomerCreated)[0]["data"].(map[string]any)
	c := created["customer"].(map[string]any)
	if created["account"] == "" || created["account"] != c["account"] || created["request_number"] != number ||
		c["currency"] == "" || c["payment_terms"] == "" || c["street"] != "1 Main St" ||
		created["contact"].(map[string]any)["email"] != "ada1@example.com" {
		t.Errorf("customer.created lacks what an ERP needs: %v", created)
	}
	for _, d := range deliveries(t, e.db) {
		if strings.Contains(string(d.Event.Payload), "argon2") || strings.Contains(string(d.Event.Payload), "password") {
			t.Errorf("%s carries a password hash: %s", d.Event.Type, d.Event.Payload)
		}
		if d.ResponseCode != http.StatusNoContent && d.ResponseCode != http.StatusOK {
			t.Errorf("delivery #%d recorded response %d", d.ID, d.ResponseCode)
		}
	}
}

func TestWebhooks_FailThenRetryByHand(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOpts{webhooks: webhook.NewClient(webhook.Config{AllowPrivate: true})})
	ep := addHook(t, e.svc, "http://placeholder.invalid/", workflow.HookRequestApproved)
	rcv := newHookReceiver(t, ep.Secret)
	_ = e.svc.RemoveWebhook(ctx, ep.ID, "operator")
	if _, err := e.svc.AddWebhook(ctx, workflow.WebhookInput{URL: rcv.srv.URL, Secret: ep.Secret,
		Events: []string{workflow.HookRequestApproved}, Actor: "operator"}); err != nil {
		t.Fatal(err)
	}
	rcv.setDown(true)
	approved(t, e.svc, 1)
	var d store.Delivery
	waitFor(t, 20*time.Second, "the delivery to fail", func() bool {
		d = deliveries(t, e.db)[0]
		return d.Status == store.DeliveryFailed
	})
	if d.Attempts != jobs.WebhookMaxAttempts || d.ResponseCode != 503 || !strings.Contains(d.LastError, "503") {
		t.Fatalf("failed delivery: %+v", d)
	}
	if _, err := e.svc.RetryDelivery(ctx, d.ID, "operator"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RetryDelivery(ctx, d.ID, "operator"); err == nil {
		t.Fatal("a queued delivery was retried again")
	}
	rcv.setDown(false)
	waitFor(t, 10*time.Second, "the retried delivery", func() bool {
		return deliveries(t, e.db)[0].Status == store.DeliveryDelivered
	})
	if _, effects, _ := rcv.stats(); effects != 1 {
		t.Fatalf("%d effects", effects)
	}
}

func TestWebhooks_PrivateTargetRefusedWithoutFlag(t *testing.T) {
	e := newEnv(t, envOpts{})
	ep := addHook(t, e.svc, "http://placeholder.invalid/")
	rcv := newHookReceiver(t, ep.Secret)
	_ = e.svc.RemoveWebhook(context.Background(), ep.ID, "operator")
	addHook(t, e.svc, strings.Replace(rcv.srv.URL, "127.0.0.1", "localhost", 1))
	approved(t, e.svc, 1)
	waitFor(t, 10*time.Second, "deliveries to fail", func() bool {
		ds := deliveries(t, e.db)
		for _, d := range ds {
			if d.Status != store.DeliveryFailed {
				return false
			}
		}
		return len(ds) == 2
	})
	for _, d := range deliveries(t, e.db) {
		if d.Attempts != 1 || !strings.Contains(d.LastError, "allow-private-webhooks") {
			t.Errorf("delivery %+v", d)
		}
	}
	if a, _, _ := rcv.stats(); a != 0 {
		t.Fatalf("the private receiver was reached %d times", a)
	}
}
