package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServe_Pprof: the profiler is off by default, served only on the
// metrics listener with --pprof, never on the portal, and --pprof alone is
// refused before anything starts.
func TestServe_Pprof(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"serve", "--data", t.TempDir(), "--pprof"}, nil, &out, &errb)
	if err == nil || !strings.Contains(err.Error()+errb.String(), "--pprof needs --metrics") {
		t.Fatalf("--pprof without --metrics: %v %s", err, errb.String())
	}

	status := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	urlRE := regexp.MustCompile(`"msg":"metrics listening","url":"http://([^/"]+)/metrics"`)
	for _, on := range []bool{false, true} {
		args := []string{"--metrics", "127.0.0.1:0"}
		if on {
			args = append(args, "--pprof")
		}
		p := startServe(t, t.TempDir(), nil, args...)
		var addr string
		waitFor(t, 10*time.Second, "the metrics listener", func() bool {
			if m := urlRE.FindStringSubmatch(p.stderr.String()); m != nil {
				addr = m[1]
			}
			return addr != ""
		})
		code, body := status("http://" + addr + "/debug/pprof/heap?debug=1")
		if on && (code != http.StatusOK || !strings.Contains(body, "heap profile")) {
			t.Fatalf("--pprof: heap profile = %d", code)
		}
		if !on && code != http.StatusNotFound {
			t.Fatalf("without --pprof: /debug/pprof/heap = %d, want 404", code)
		}
		if code, _ := status(strings.TrimRight(p.url, "/") + "/debug/pprof/"); code != http.StatusNotFound {
			t.Fatalf("the portal answers /debug/pprof/ with %d, want 404", code)
		}
		p.stop(t)
	}
}
