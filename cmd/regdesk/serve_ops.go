package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/metrics"
)

// Operations' schedule inside serve: retention hourly, the digest checked
// every minute (its interval is the notify.digest_interval parameter).
const (
	maintenanceInterval = time.Hour
	digestTick          = time.Minute
)

// withMetrics wraps the portal in the HTTP latency histogram.
func withMetrics(m *metrics.Metrics, h http.Handler) http.Handler { return m.Middleware(h) }

// opsParts are the maintenance loop, the approvers' digest loop and, with
// --metrics ADDR, the /metrics and /healthz listener.
func opsParts(d serveDeps, o serveOptions, m *metrics.Metrics) ([]part, error) {
	parts := []part{
		{name: "maintenance", run: func(ctx context.Context) error {
			return workflow.RunMaintenance(ctx, d.Service, maintenanceInterval)
		}},
		{name: "digest", run: func(ctx context.Context) error { return workflow.RunDigest(ctx, d.Service, digestTick) }},
	}
	if o.Metrics == "" {
		return parts, nil
	}
	ln, err := net.Listen("tcp", o.Metrics)
	if err != nil {
		return nil, fmt.Errorf("serve: --metrics %s: %w", o.Metrics, err)
	}
	d.Logger.Info("metrics listening", "url", "http://"+ln.Addr().String()+"/metrics", "pprof", o.Pprof)
	mux := m.Mux(d.DB)
	banner := "metrics: http://" + ln.Addr().String() + "/metrics"
	if o.Pprof {
		// Only on this listener, which operators keep private; never on the portal's.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		banner += ", profiler: http://" + ln.Addr().String() + "/debug/pprof/"
	}
	return append(parts, part{name: "metrics", banner: banner, run: func(ctx context.Context) error {
		return serveHTTP(ctx, ln, mux, d.Logger)
	}}), nil
}
