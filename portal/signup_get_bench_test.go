package portal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/sample"
)

// BenchmarkSignupGET_wrk drives GET /signup with wrk (32 connections, as a
// crawler would) against, side by side in one run on the same cores: a bare
// net/http server sending the same bytes, the portal on an empty database,
// and the portal on the cached sample database of 1k or 1M requests. It
// reports x-bare (portal ÷ bare, goal ≥ 0.6) and x-empty (sample ÷ empty,
// goal ≥ 0.95). Skipped where wrk is not installed (Debian package wrk).
// WRK_SECONDS sets each run's length (default 5).
func BenchmarkSignupGET_wrk(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed (apt-get install wrk)")
	}
	secs := "5"
	if s, ok := lookupEnvInt("WRK_SECONDS"); ok {
		secs = strconv.Itoa(s)
	}
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			empty := signupServer(b, storetest.New(b))
			full := signupServer(b, cachedSample(b, n))
			page := fetch(b, full.URL+"/signup")
			bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write(page)
			}))
			b.Cleanup(bare.Close)
			var rates [3]float64
			for b.Loop() {
				for i, u := range []string{bare.URL, empty.URL, full.URL} {
					rates[i] += runWrk(b, wrk, secs, u+"/signup")
				}
			}
			b.ReportMetric(rates[2]/float64(b.N), "req/s")
			b.ReportMetric(rates[0]/float64(b.N), "bare-req/s")
			b.ReportMetric(rates[2]/rates[0], "x-bare")
			b.ReportMetric(rates[1]/rates[0], "empty-x-bare")
			b.ReportMetric(rates[2]/rates[1], "x-empty")
		})
	}
}

// signupServer serves the portal on db over loopback TCP, with the real
// argon2id parameters and limits, as serve does.
func signupServer(b *testing.B, db *store.DB) *httptest.Server {
	b.Helper()
	svc := workflow.New(workflow.Config{DB: db, BaseURL: "http://portal.test"})
	h, err := New(Deps{DB: db, Service: svc, BaseURL: "http://portal.test"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv
}

// cachedSample opens the cached sample database of n requests.
func cachedSample(b *testing.B, n int) *store.DB {
	b.Helper()
	ctx := context.Background()
	path, err := sample.CachedDB(ctx, n)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func fetch(b *testing.B, url string) []byte {
	b.Helper()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

var wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// runWrk runs wrk against url and returns its requests per second; any
// non-2xx answer fails the benchmark.
func runWrk(b *testing.B, wrk, secs, url string) float64 {
	b.Helper()
	out, err := exec.Command(wrk, "-t2", "-c32", "-d"+secs+"s", url).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	if regexp.MustCompile(`Non-2xx or 3xx responses`).Match(out) {
		b.Fatalf("wrk %s: errors\n%s", url, out)
	}
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		b.Fatalf("wrk: no rate in\n%s", out)
	}
	r, _ := strconv.ParseFloat(string(m[1]), 64)
	return r
}

func lookupEnvInt(name string) (int, bool) {
	n, err := strconv.Atoi(os.Getenv(name))
	return n, err == nil && n > 0
}
