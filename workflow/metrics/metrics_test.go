package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/metrics"
)

func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}
	return fams
}

// value finds the sample of a family with the given label values (name=value pairs).
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				found = found || (lp.GetName() == labels[i] && lp.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	t.Fatalf("no %s sample with %v", name, labels)
	return 0
}

func TestMetrics_scrape(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	svc := workflow.New(workflow.Config{DB: db})
	var tokens []string
	var numbers []string
	for i := range 4 {
		res, err := svc.SignUp(ctx, workflow.SignupInput{CompanyName: fmt.Sprintf("Co %d", i),
			Street: "s", City: "c", PostalCode: "p", Country: "DE", FirstName: "F", LastName: "L",
			Email: fmt.Sprintf("p%d@co%d.example", i, i), Phone: "+49 30 1234567", Username: fmt.Sprintf("user%d", i),
			PasswordHash: "$argon2id$x"})
		if err != nil {
			t.Fatal(err)
		}
		tokens, numbers = append(tokens, res.Token), append(numbers, res.Number)
	}
	for _, tok := range tokens[:3] {
		if _, err := svc.Activate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Approve(ctx, workflow.Action{Number: numbers[0], Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: numbers[0], Actor: "alice"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Approve(ctx, workflow.Action{Number: numbers[1], Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	// Approved, then rejected: one approval and one rejection, counted both.
	if _, err := svc.Reject(ctx, workflow.Action{Number: numbers[1], Actor: "bob"}, "other", "Outside our sales area."); err != nil {
		t.Fatal(err)
	}

	m := metrics.New(metrics.Config{DB: db})
	app := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/signup":
			w.WriteHeader(http.StatusUnprocessableEntity)
		case "/boom":
			panic("boom")
		default:
			_, _ = w.Write([]byte("hello"))
		}
	}))
	for _, p := range []string{"/signup", "/signup", "/account/users/7", "/wp-admin/x.php", "/"} {
		app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", p, nil))
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the middleware swallowed a panic")
			}
		}()
		app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/boom", nil))
	}()
	m.MailAttempt(nil)
	m.MailAttempt(errors.New("smtp: 451 try later"))
	m.MailAttempt(errors.New("smtp: 451 try later"))

	fams := scrape(t, m.Mux(db))
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"regdesk_db_up", nil, 1},
		{"regdesk_signups_total", nil, 4},
		{"regdesk_activations_total", nil, 3},
		{"regdesk_decisions_total", []string{"outcome", "approved"}, 2},
		{"regdesk_decisions_total", []string{"outcome", "rejected"}, 1},
		{"regdesk_requests", []string{"status", "requested"}, 1},
		{"regdesk_requests", []string{"status", "verified"}, 1},
		{"regdesk_requests", []string{"status", "created"}, 1},
		{"regdesk_requests", []string{"status", "rejected"}, 1},
		{"regdesk_user_requests", []string{"status", "submitted"}, 1},
		{"regdesk_user_requests", []string{"status", "failed"}, 0},
		{"regdesk_mail_queue_depth", nil, 5}, // 4 activations + 1 rejection, no worker
		{"regdesk_mail_messages", []string{"status", "failed"}, 0},
		{"regdesk_mail_delivery_attempts_total", []string{"outcome", "failed"}, 2},
		{"regdesk_mail_delivery_attempts_total", []string{"outcome", "sent"}, 1},
		{"regdesk_http_request_duration_seconds", []string{"route", "/signup", "code", "422", "method", "POST"}, 2},
		{"regdesk_http_request_duration_seconds", []string{"route", "/account", "code", "200"}, 1},
		{"regdesk_http_request_duration_seconds", []string{"route", "other", "code", "200"}, 1},
		{"regdesk_http_request_duration_seconds", []string{"route", "/", "code", "200"}, 1},
		{"regdesk_http_request_duration_seconds", []string{"route", "other", "code", "500", "method", "GET"}, 1},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}

	t.Run("healthz", func(t *testing.T) {
		rec := httptest.NewRecorder()
		m.Mux(db).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if rec.Code != http.StatusOK || rec.Body.String() != "ok\n" {
			t.Errorf("healthz %d %q", rec.Code, rec.Body)
		}
	})

	t.Run("a closed database is reported, not a failed scrape", func(t *testing.T) {
		db2 := storetest.New(t)
		m2 := metrics.New(metrics.Config{DB: db2})
		db2.Close()
		fams := scrape(t, m2.Handler())
		if got := value(t, fams, "regdesk_db_up"); got != 0 {
			t.Errorf("regdesk_db_up = %v on a closed database", got)
		}
		rec := httptest.NewRecorder()
		metrics.HealthHandler(db2).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("healthz on a closed database: %d", rec.Code)
		}
	})
}
