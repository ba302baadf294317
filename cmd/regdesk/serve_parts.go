package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/regdesk/regdesk/portal"
	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/metrics"
)

// serveDeps is what every part of serve shares.
type serveDeps struct {
	DB      *store.DB
	Service *workflow.Service
	Logger  *slog.Logger
	BaseURL string // public portal URL, never taken from a request's Host
	DataDir string
	Metrics *metrics.Metrics
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []string
	// TrustedOrigins may post the portal's forms from their own pages.
	TrustedOrigins []string
}

// part is one long-running piece of serve: run blocks until ctx ends, then
// shuts the piece down gracefully and returns.
type part struct {
	name string
	run  func(ctx context.Context) error
	// banner, when set, is printed to stdout once serve is up.
	banner string
}

// portalHandler is the web portal.
func portalHandler(d serveDeps) (http.Handler, error) {
	return portal.New(portal.Deps{DB: d.DB, Service: d.Service, Logger: d.Logger,
		BaseURL: d.BaseURL, TrustedProxies: d.TrustedProxies, TrustedOrigins: d.TrustedOrigins})
}

// moreParts are serve's optional parts; each package adds its line here:
// the approvers' SSH server on o.SSH (package tui) and the Prometheus
// endpoint on o.Metrics when it is set (operations).
func moreParts(d serveDeps, o serveOptions) ([]part, error) {
	ssh, err := sshPart(d, o)
	if err != nil {
		return nil, err
	}
	parts := []part{ssh}
	ops, err := opsParts(d, o, d.Metrics)
	if err != nil {
		return nil, err
	}
	parts = append(parts, ops...)
	return parts, nil
}
