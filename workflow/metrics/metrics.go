// Package metrics exposes regdesk's health as Prometheus metrics on a
// registry of its own (never the global one): the process counters read from
// the database at scrape time, so actions taken by the CLI or a local TUI
// count too, plus HTTP latency and mail delivery attempts observed in-process.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// PortalRoutes are the route labels of the HTTP histogram (SPEC.md); any
// other path is counted as "other", so a scanner cannot grow the series.
var PortalRoutes = []string{"/", "/signup", "/signup/sent", "/activate", "/activate/resend",
	"/login", "/logout", "/password/forgot", "/password/reset", "/account", "/static", "/healthz"}

// Metrics holds the registry and the in-process instruments.
type Metrics struct {
	reg          *prometheus.Registry
	httpDuration *prometheus.HistogramVec
	mailAttempts *prometheus.CounterVec
	routes       []string
	log          *slog.Logger
}

// Config holds what New needs.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	// Routes overrides PortalRoutes as the HTTP route labels.
	Routes []string
	// ScrapeTimeout bounds the database queries of one scrape (default 5s).
	ScrapeTimeout time.Duration
}

// New builds the registry: database-derived metrics, HTTP and mail
// instruments, and the Go runtime and process collectors.
func New(cfg Config) *Metrics {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	routes := cfg.Routes
	if routes == nil {
		routes = PortalRoutes
	}
	timeout := cfg.ScrapeTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "regdesk_http_request_duration_seconds",
			Help:    "Time to serve portal HTTP requests, by method, route and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "code"}),
		mailAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "regdesk_mail_delivery_attempts_total",
			Help: "Mail delivery attempts by this process, by outcome (sent or failed).",
		}, []string{"outcome"}),
		routes: routes,
		log:    log.With("component", "metrics"),
	}
	m.mailAttempts.WithLabelValues("sent")
	m.mailAttempts.WithLabelValues("failed")
	m.reg.MustRegister(m.httpDuration, m.mailAttempts, newDBCollector(cfg.DB, timeout, m.log),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the private registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format. A failing
// database query is logged and reported as regdesk_db_up 0; the rest of the
// scrape still answers.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slogPrinter{m.log},
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             30 * time.Second,
	})
}

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	parts := make([]string, len(v))
	for i, x := range v {
		if err, ok := x.(error); ok {
			parts[i] = err.Error()
		} else if s, ok := x.(string); ok {
			parts[i] = s
		}
	}
	p.log.Error("metrics scrape", "err", strings.Join(parts, " "))
}

// MailAttempt records one delivery attempt; the mail worker calls it.
func (m *Metrics) MailAttempt(err error) {
	if err != nil {
		m.mailAttempts.WithLabelValues("failed").Inc()
		return
	}
	m.mailAttempts.WithLabelValues("sent").Inc()
}

// Middleware observes the latency of every request next serves.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		defer func() {
			// A panicking handler is answered 500 by the recovery middleware
			// outside this one; count it so before passing the panic on.
			code := sw.code
			p := recover()
			if p != nil {
				code = http.StatusInternalServerError
			}
			m.httpDuration.WithLabelValues(methodLabel(r.Method), m.route(r.URL.Path),
				strconv.Itoa(code)).Observe(time.Since(start).Seconds())
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// route is the longest known route that is the path or a parent of it.
func (m *Metrics) route(path string) string {
	best := ""
	for _, rt := range m.routes {
		if path == rt || (rt != "/" && strings.HasPrefix(path, rt+"/")) {
			if len(rt) > len(best) {
				best = rt
			}
		}
	}
	if best == "" {
		return "other"
	}
	return best
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodPatch, http.MethodOptions:
		return m
	}
	return "other"
}

type statusWriter struct {
	http.ResponseWriter
	code    int
	written bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.written {
		w.code, w.written = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// HealthHandler answers 200 "ok" when the database answers a query within
// two seconds, 503 otherwise. The portal mounts it at /healthz.
func HealthHandler(db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if _, err := db.Read().SchemaVersion(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}

// Mux serves /metrics and /healthz: what serve mounts on --metrics ADDR.
func (m *Metrics) Mux(db *store.DB) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("GET /healthz", HealthHandler(db))
	return mux
}

// dbCollector reads the process counters and queue sizes at scrape time.
type dbCollector struct {
	db      *store.DB
	timeout time.Duration
	log     *slog.Logger

	up, signups, activations, decisions, requests, userRequests, mailMessages, mailQueue *prometheus.Desc
}

func newDBCollector(db *store.DB, timeout time.Duration, log *slog.Logger) *dbCollector {
	return &dbCollector{db: db, timeout: timeout, log: log,
		up: prometheus.NewDesc("regdesk_db_up",
			"1 when the database answered this scrape's queries.", nil, nil),
		signups: prometheus.NewDesc("regdesk_signups_total",
			"Sign-ups stored (customer requests created).", nil, nil),
		activations: prometheus.NewDesc("regdesk_activations_total",
			"Requests whose email address was confirmed.", nil, nil),
		decisions: prometheus.NewDesc("regdesk_decisions_total",
			"Approvers' decisions on customer requests, by outcome.", []string{"outcome"}, nil),
		requests: prometheus.NewDesc("regdesk_requests",
			"Customer requests by status.", []string{"status"}, nil),
		userRequests: prometheus.NewDesc("regdesk_user_requests",
			"User requests by status.", []string{"status"}, nil),
		mailMessages: prometheus.NewDesc("regdesk_mail_messages",
			"Outbox messages by status (failed: gave up after every retry).", []string{"status"}, nil),
		mailQueue: prometheus.NewDesc("regdesk_mail_queue_depth",
			"Messages waiting in the outbox to be sent.", nil, nil),
	}
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.signups, c.activations, c.decisions, c.requests,
		c.userRequests, c.mailMessages, c.mailQueue} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	up := 1.0
	if err := c.collect(ctx, ch); err != nil {
		up = 0
		c.log.Error("metrics: database query failed", "err", err)
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
}

func (c *dbCollector) collect(ctx context.Context, ch chan<- prometheus.Metric) error {
	q := c.db.Read()
	counts, err := q.RequestCounts(ctx)
	if err != nil {
		return err
	}
	urCounts, err := q.UserRequestCounts(ctx)
	if err != nil {
		return err
	}
	mail, err := q.MailCounts(ctx)
	if err != nil {
		return err
	}
	approved, rejected, err := q.DecisionCounts(ctx)
	if err != nil {
		return err
	}
	// Requests are never deleted and every status but requested and expired
	// is reached through activation, so these sums only ever grow.
	var total float64
	for _, s := range domain.RequestStatuses {
		total += float64(counts[s])
		ch <- prometheus.MustNewConstMetric(c.requests, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(c.signups, prometheus.CounterValue, total)
	ch <- prometheus.MustNewConstMetric(c.activations, prometheus.CounterValue,
		total-float64(counts[domain.Requested]+counts[domain.Expired]))
	ch <- prometheus.MustNewConstMetric(c.decisions, prometheus.CounterValue, float64(approved), "approved")
	ch <- prometheus.MustNewConstMetric(c.decisions, prometheus.CounterValue, float64(rejected), "rejected")
	for _, s := range domain.UserRequestStatuses {
		ch <- prometheus.MustNewConstMetric(c.userRequests, prometheus.GaugeValue, float64(urCounts[s]), string(s))
	}
	for _, s := range []string{store.MailQueued, store.MailSent, store.MailFailed} {
		ch <- prometheus.MustNewConstMetric(c.mailMessages, prometheus.GaugeValue, float64(mail[s]), s)
	}
	ch <- prometheus.MustNewConstMetric(c.mailQueue, prometheus.GaugeValue, float64(mail[store.MailQueued]))
	return nil
}
