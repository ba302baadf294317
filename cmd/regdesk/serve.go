package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/regdesk/regdesk/portal"
	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/jobs"
	"github.com/regdesk/regdesk/workflow/mailer"
	"github.com/regdesk/regdesk/workflow/metrics"
	"github.com/regdesk/regdesk/workflow/webhook"
)

// serveOptions are serve's flags after validation.
type serveOptions struct {
	HTTP, SSH, BaseURL, SMTP, MailFrom, Metrics string
	// TrustedProxies are the CIDRs of reverse proxies whose
	// X-Forwarded-For the portal believes (--trusted-proxy, comma-separated).
	TrustedProxies []string
	// TrustedOrigins (--trusted-origin, comma-separated) are sites whose
	// pages may post the portal's forms, such as a sign-up form on the
	// company's own web site; other cross-origin posts get 403.
	TrustedOrigins []string
	// AllowPrivateWebhooks lets webhooks reach loopback and private
	// addresses (--allow-private-webhooks: tests and labs).
	AllowPrivateWebhooks bool
	// Pprof serves Go's profiler at /debug/pprof/ on the metrics listener.
	Pprof bool
}

func serveCmd(e *env) *cobra.Command {
	var o serveOptions
	var proxies, origins string
	c := define("serve", "run the portal, the mail worker, the workflow and the approvers' SSH server", func(ctx context.Context, _ []string) error {
		for _, c := range strings.Split(proxies, ",") {
			if c = strings.TrimSpace(c); c != "" {
				if _, err := netip.ParsePrefix(c); err != nil {
					return usageErrorf("--trusted-proxy %q: want CIDRs such as 127.0.0.1/32,10.0.0.0/8", c)
				}
				o.TrustedProxies = append(o.TrustedProxies, c)
			}
		}
		for _, c := range strings.Split(origins, ",") {
			if c = strings.TrimSpace(c); c != "" {
				if err := portal.ValidTrustedOrigin(c); err != nil {
					return usageErrorf("--trusted-origin: %v", err)
				}
				o.TrustedOrigins = append(o.TrustedOrigins, c)
			}
		}
		sender, err := o.validate(e.data)
		if err != nil {
			return err
		}
		if c, ok := sender.(io.Closer); ok {
			defer c.Close() // QUIT on the SMTP connections kept open
		}
		log := slog.New(slog.NewJSONHandler(e.stderr, nil))
		if processWide {
			limit, ours := memoryLimit(e.getenv)
			if ours {
				debug.SetMemoryLimit(limit)
			}
			log.Info("memory limit", "bytes", limit, "from", map[bool]string{true: "hashing slots", false: "GOMEMLIMIT"}[ours])
		}
		return serve(ctx, e, e.data, o, sender, log)
	})
	f := c.Flags()
	f.StringVar(&o.HTTP, "http", "127.0.0.1:8080", "address of the web portal")
	f.StringVar(&o.SSH, "ssh", "127.0.0.1:2222", "address of the approvers' SSH server")
	f.StringVar(&o.BaseURL, "base-url", "", "public portal URL used in mail links (default http://HTTP-ADDRESS)")
	f.StringVar(&o.SMTP, "smtp", "", "deliver mail to smtp://user:pass@host:port or smtps://… (default: .eml files in DATA/mail)")
	f.StringVar(&o.MailFrom, "mail-from", "", "sender of every mail (default: the mail.from parameter)")
	f.StringVar(&o.Metrics, "metrics", "", "address for Prometheus metrics at /metrics (default off)")
	f.BoolVar(&o.Pprof, "pprof", false, "also serve Go's profiler at /debug/pprof/ on the --metrics address (default off)")
	f.StringVar(&proxies, "trusted-proxy", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed")
	f.StringVar(&origins, "trusted-origin", "", "comma-separated origins (https://www.example.com) whose pages may post the sign-up form")
	f.BoolVar(&o.AllowPrivateWebhooks, "allow-private-webhooks", false, "let webhooks reach loopback and private addresses (tests, labs)")
	for _, name := range []string{"http", "ssh", "base-url", "smtp", "mail-from", "metrics", "trusted-proxy", "trusted-origin"} {
		completeWith(c, name, cobra.NoFileCompletions)
	}
	return c
}

// processWide is set by main: the command runs as its own process, so it
// may set process-wide runtime limits. Tests run commands inside the test
// binary and leave its runtime alone.
var processWide bool

// memoryLimit is the soft memory limit serve runs under: the operator's
// GOMEMLIMIT when set (ours false: the runtime has it already), else
// portal.MemoryLimit for the portal's hashing slots (one per CPU) and
// argon2id parameters, so a sign-up flood cannot grow the process beyond
// the hashes it computes at once and a fixed margin.
func memoryLimit(getenv func(string) string) (limit int64, ours bool) {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1), false
	}
	return portal.MemoryLimit(0, portal.OWASPParams()), true
}

// validate checks every flag before anything starts and returns the mail
// sender the flags ask for.
func (o *serveOptions) validate(dataDir string) (mailer.Sender, error) {
	if o.Pprof && o.Metrics == "" {
		return nil, usageErrorf("--pprof needs --metrics ADDR: the profiler is served on that listener only")
	}
	for _, a := range []struct{ flag, addr string }{{"http", o.HTTP}, {"ssh", o.SSH}, {"metrics", o.Metrics}} {
		if a.addr == "" && a.flag == "metrics" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.addr); err != nil || port == "" {
			return nil, usageErrorf("--%s %q: want HOST:PORT, such as 127.0.0.1:8080", a.flag, a.addr)
		}
	}
	if o.BaseURL != "" {
		u, err := url.Parse(o.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, usageErrorf("--base-url %q: want an absolute http(s) URL such as https://portal.example.com", o.BaseURL)
		}
		o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	}
	if o.MailFrom != "" {
		if a, err := mail.ParseAddress(o.MailFrom); err != nil || !strings.Contains(a.Address, "@") {
			return nil, usageErrorf("--mail-from %q: want an address such as \"Example <no-reply@example.com>\"", o.MailFrom)
		}
	}
	if o.SMTP != "" {
		s, err := mailer.NewSMTPSender(mailer.SMTPConfig{URL: o.SMTP})
		if err != nil {
			return nil, usageErrorf("%s", strings.TrimPrefix(err.Error(), "mailer: "))
		}
		return s, nil
	}
	s, err := mailer.NewFileSender(filepath.Join(dataDir, "mail"))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// serve runs every part under one errgroup until ctx ends (a signal) or a
// part fails, then shuts them all down gracefully.
func serve(ctx context.Context, e *env, dataDir string, o serveOptions, sender mailer.Sender, log *slog.Logger) error {
	unlock, err := lockDataDir(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	db, err := store.Open(ctx, e.dbPath(), store.Options{
		Warn: func(msg string) { log.Warn(msg) }})
	if err != nil {
		return err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", o.HTTP)
	if err != nil {
		return fmt.Errorf("serve: --http %s: %w", o.HTTP, err)
	}
	defer ln.Close()
	listenURL := "http://" + ln.Addr().String()
	if o.BaseURL == "" {
		o.BaseURL = derivedBaseURL(ln.Addr())
	}
	// The key that seals the customers' authenticator secrets lives beside
	// the database, not in it (created 0600 on first start).
	secrets, err := workflow.LoadSecrets(dataDir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// The operator's own disposable-mail domains, added to the built-in list.
	domains, err := workflow.ReadDomainList(filepath.Join(dataDir, "disposable-domains.txt"))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	svc := workflow.New(workflow.Config{DB: db, BaseURL: o.BaseURL, Logger: log, Secrets: secrets,
		DisposableDomains: domains})
	if o.AllowPrivateWebhooks {
		log.Warn("webhooks may reach loopback and private addresses (--allow-private-webhooks)")
	}
	runner, err := jobs.New(ctx, jobs.Config{DB: db, Service: svc, Sender: sender,
		MailFrom: o.MailFrom, Logger: log,
		Webhooks: webhook.NewClient(webhook.Config{AllowPrivate: o.AllowPrivateWebhooks})})
	if err != nil {
		return err
	}
	d := serveDeps{DB: db, Service: svc, Logger: log, BaseURL: o.BaseURL, DataDir: dataDir,
		TrustedProxies: o.TrustedProxies, TrustedOrigins: o.TrustedOrigins,
		Metrics: metrics.New(metrics.Config{DB: db, Logger: log})}
	handler, err := portalHandler(d)
	if err != nil {
		return err
	}
	handler = withMetrics(d.Metrics, handler)
	parts := []part{
		{name: "http", run: func(ctx context.Context) error { return serveHTTP(ctx, ln, handler, log) }},
		{name: "jobs", run: runner.Run},
	}
	more, err := moreParts(d, o)
	if err != nil {
		return err
	}
	parts = append(parts, more...)

	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.name
	}
	log.Info("regdesk serving", "url", listenURL, "base_url", o.BaseURL, "data", dataDir, "db", db.String(),
		"mail", mailTarget(sender), "parts", names)
	fmt.Fprintf(e.stdout, "regdesk serving %s\n", listenURL)
	for _, p := range parts {
		if p.banner != "" {
			fmt.Fprintln(e.stdout, p.banner)
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	for _, p := range parts {
		g.Go(func() error {
			if err := p.run(gctx); err != nil {
				return fmt.Errorf("serve: %s: %w", p.name, err)
			}
			return nil
		})
	}
	err = g.Wait()
	log.Info("regdesk stopped", "err", err)
	return err
}

// derivedBaseURL is the portal URL when --base-url is not given: the listen
// address, with a wildcard host replaced by localhost.
func derivedBaseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func mailTarget(s mailer.Sender) string {
	switch s := s.(type) {
	case *mailer.SMTPSender:
		return "smtp " + s.Addr()
	case *mailer.FileSender:
		return "files in " + s.Dir
	}
	return "unknown"
}

// serveHTTP serves until ctx ends, then lets in-flight requests finish.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.With("component", "http").Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
