package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

func TestServe_OpsMetricsAndRestoreLock(t *testing.T) {
	t.Parallel()
	data := newData(t)
	p := startServe(t, data, nil, "--metrics", "127.0.0.1:0")
	urlRE := regexp.MustCompile(`"msg":"metrics listening","url":"([^"]+)"`)
	var metricsURL string
	waitFor(t, 10*time.Second, "the metrics listener", func() bool {
		m := urlRE.FindStringSubmatch(p.stderr.String())
		if m != nil {
			metricsURL = m[1]
		}
		return m != nil
	})
	for range 3 {
		resp, err := http.Get(strings.TrimRight(p.url, "/") + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	if up := fams["regdesk_db_up"].GetMetric()[0].GetGauge().GetValue(); up != 1 {
		t.Errorf("regdesk_db_up = %v", up)
	}
	var healthz uint64
	for _, m := range fams["regdesk_http_request_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && l.GetValue() == "/healthz" {
				healthz += m.GetHistogram().GetSampleCount()
			}
		}
	}
	if healthz != 3 {
		t.Errorf("the portal's /healthz was observed %d times, want 3", healthz)
	}

	if storetest.Postgres() {
		p.stop(t)
		return // backup and restore copy the SQLite file; the SQLite run tests them
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	cli(t, data, "backup", backup)
	var out, errb bytes.Buffer
	err = run(context.Background(), []string{"restore", backup, "--data", data}, nil, &out, &errb)
	if !errors.Is(err, store.ErrServeRunning) {
		t.Fatalf("restore while serve runs: %v", err)
	}
	p.stop(t)
	if out := cli(t, data, "restore", backup); !strings.Contains(out, "restored") {
		t.Errorf("restore after serve stopped: %q", out)
	}
}
