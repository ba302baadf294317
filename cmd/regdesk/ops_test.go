package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// inproc runs the CLI in-process and returns stdout and the error.
func inproc(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), withDBArgs(args), strings.NewReader(""), &out, &errOut)
	return out.String(), err
}

// purgedRequests lists the requests whose personal data is gone.
func purgedRequests(t *testing.T, data string) []store.Request {
	t.Helper()
	db, err := store.OpenExisting(context.Background(), dataDB(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Read().Requests(context.Background(), store.ListRequests{})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Request
	for _, r := range rs {
		if r.PurgedAt != nil {
			out = append(out, r)
		}
	}
	return out
}

func TestOps_CLI(t *testing.T) {
	t.Parallel()
	data := newData(t)
	if _, err := inproc(t, "seed", "--requests", "40", "--data", data); err != nil {
		t.Fatal(err)
	}

	t.Run("maintenance run purges seeded expired requests, then has nothing to do", func(t *testing.T) {
		before := purgedRequests(t, data)
		out, err := inproc(t, "maintenance", "run", "--json", "--data", data)
		if err != nil {
			t.Fatal(err)
		}
		var rep workflow.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		after := purgedRequests(t, data)
		if rep.Batches == 0 || rep.Expired+rep.Purged == 0 {
			t.Fatalf("report %+v: the seed's old unverified and rejected requests were not purged", rep)
		}
		if len(after)-len(before) != rep.Expired+rep.Purged {
			t.Fatalf("report %+v, but %d requests lost their personal data (%d before, %d after)",
				rep, len(after)-len(before), len(before), len(after))
		}
		for _, r := range after {
			if r.Email != "" || r.CompanyName != "" || r.Username != "" {
				t.Fatalf("%s is marked purged but keeps %q %q %q", r.Number, r.Email, r.CompanyName, r.Username)
			}
		}
		out, err = inproc(t, "maintenance", "run", "--data", data)
		if err != nil || !strings.HasPrefix(out, "expired 0 unverified requests, purged 0") {
			t.Errorf("second run: %q %v", out, err)
		}
		if _, err := inproc(t, "maintenance", "--data", data); err == nil {
			t.Error("maintenance without a subcommand was accepted")
		}
	})

	t.Run("export and erase", func(t *testing.T) {
		out, err := inproc(t, "requests", "list", "--status", "requested", "--limit", "1", "--json", "--data", data)
		if err != nil {
			t.Fatal(err)
		}
		var list []struct{ Number, Email string }
		if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
			t.Fatalf("list: %v %s", err, out)
		}
		number, email := list[0].Number, list[0].Email
		out, err = inproc(t, "requests", "export", number, "--data", data)
		if err != nil || !strings.Contains(out, email) || !strings.Contains(out, `"audit"`) {
			t.Fatalf("export: %v %s", err, out)
		}
		if _, err := inproc(t, "requests", "erase", number, "--data", data); err == nil ||
			!strings.Contains(err.Error(), "--as") {
			t.Errorf("erase without --as: %v", err)
		}
		out, err = inproc(t, "requests", "erase", number, "--as", "alice", "--data", data)
		if err != nil || !strings.Contains(out, "personal data erased") {
			t.Fatalf("erase: %q %v", out, err)
		}
		out, err = inproc(t, "requests", "export", number, "--data", data)
		if err != nil || strings.Contains(out, email) || !strings.Contains(out, `"purged_at": "`) {
			t.Errorf("export after erase: %v %s", err, out)
		}
		out, err = inproc(t, "requests", "list", "--status", "created", "--limit", "1", "--json", "--data", data)
		if err != nil {
			t.Fatal(err)
		}
		list = nil
		if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
			t.Fatalf("list created: %v %s", err, out)
		}
		_, err = inproc(t, "requests", "erase", list[0].Number, "--as", "alice", "--data", data)
		if err == nil || !strings.Contains(err.Error(), "belong to that customer account") {
			t.Errorf("erase of a created request: %v", err)
		}
	})

	t.Run("backup and restore", func(t *testing.T) {
		sqliteOnly(t, "backup and restore copy the database file; PostgreSQL has pg_dump")
		backup := filepath.Join(t.TempDir(), "b.db")
		if _, err := inproc(t, "backup", backup, "--data", data); err != nil {
			t.Fatal(err)
		}
		lock, err := store.LockServe(data)
		if err != nil {
			t.Fatal(err)
		}
		_, err = inproc(t, "restore", backup, "--data", data)
		lock.Unlock()
		if !errors.Is(err, store.ErrServeRunning) {
			t.Fatalf("restore while serve runs: %v", err)
		}
		out, err := inproc(t, "restore", backup, "--data", data)
		if err != nil || !strings.Contains(out, "40 requests") || !strings.Contains(out, "kept as") {
			t.Fatalf("restore: %q %v", out, err)
		}
		if _, err := inproc(t, "restore", filepath.Join(data, "missing.db"), "--data", data); err == nil {
			t.Error("restore of a missing file succeeded")
		}
	})
}
