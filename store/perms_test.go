//go:build unix

package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/regdesk/regdesk/store"
)

// mode returns the permission bits of path.
func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// Attack 3: with umask 022 the data folder was 0755 and regdesk.db, its WAL
// and backups 0644, so any local user read the password hashes.
func TestWorldReadableDatabase(t *testing.T) {
	old := unix.Umask(0o022) // what a login shell usually has
	t.Cleanup(func() { unix.Umask(old) })
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil { // an operator's mkdir
		t.Fatal(err)
	}
	var warnings []string
	db, err := store.Open(ctx, filepath.Join(dir, store.DBFile), store.Options{
		Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := insertRequest(ctx, db, "REG-1"); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "narrowed to 0700") {
		t.Errorf("warnings = %q, want one saying the folder was narrowed", warnings)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("data folder mode %04o, want 0700", m)
	}
	db_ := filepath.Join(dir, store.DBFile)
	for _, p := range []string{db_, db_ + "-wal", db_ + "-shm"} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s mode %04o, want 0600", filepath.Base(p), m)
		}
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, backup); m != 0o600 {
		t.Errorf("backup mode %04o, want 0600", m)
	}
	db.Close()

	// A database left world-readable by an older version is narrowed on open.
	if err := os.Chmod(db_, 0o644); err != nil {
		t.Fatal(err)
	}
	warnings = nil
	db, err = store.Open(ctx, db_, store.Options{Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if m := mode(t, db_); m != 0o600 || len(warnings) != 1 {
		t.Errorf("after reopening: mode %04o, warnings %q; want 0600 and one warning", m, warnings)
	}

	// The copy a restore keeps is as private as the database.
	if err := os.Chmod(db_, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := store.Restore(ctx, dir, backup)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{db_, res.Previous} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s mode %04o after restore, want 0600", filepath.Base(p), m)
		}
	}
}
