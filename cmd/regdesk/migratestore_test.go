package main

import (
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

func TestMigrateStore(t *testing.T) {
	t.Parallel()
	storetest.BothStoresAlready(t)
	data := t.TempDir()
	to := storetest.PostgresURL(t)
	regdesk(t, data, "", "seed", "--requests", "120").ok(t)
	want := regdesk(t, data, "", "requests", "list", "--limit", "0", "--json").ok(t)

	// Refused while serve holds the data directory; nothing is copied.
	lock, err := store.LockServe(data)
	if err != nil {
		t.Fatal(err)
	}
	regdesk(t, data, "", "migrate-store", "--to", to).fails(t, "serve is running")
	lock.Unlock()
	if got := regdesk(t, data, "", "requests", "list", "--limit", "0", "--json", "--db", to).ok(t); got != "[]\n" {
		t.Fatalf("a refused migrate-store copied: %.80s", got)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate-store"}, "--to"},
		{[]string{"migrate-store", "--to", "sqlite:///tmp/x.db"}, "want a PostgreSQL URL"},
		{[]string{"migrate-store", "--to", to, "--db", to}, "leave --db out"},
	} {
		r := regdesk(t, data, "", c.args...)
		r.fails(t, c.want)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, r.code)
		}
	}

	rep := decode[struct {
		Tables []struct {
			Table    string `json:"table"`
			Rows     int64  `json:"rows"`
			Checksum string `json:"checksum"`
		} `json:"tables"`
		Rows     int64 `json:"rows"`
		Verified bool  `json:"verified"`
	}](t, regdesk(t, data, "", "migrate-store", "--to", to, "--json").ok(t))
	if !rep.Verified || rep.Rows < 120 {
		t.Fatalf("report: %+v", rep)
	}
	if got := regdesk(t, data, "", "requests", "list", "--limit", "0", "--json", "--db", to).ok(t); got != want {
		t.Fatal("the requests listed from PostgreSQL differ from the SQLite file's")
	}
	// Into a database that holds data: refused, and the copy stays as it was.
	regdesk(t, data, "", "migrate-store", "--to", to).fails(t, "already holds data")
	if got := regdesk(t, data, "", "requests", "list", "--limit", "0", "--json", "--db", to).ok(t); got != want {
		t.Fatal("a refused second copy changed the database")
	}
}
