package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DBFile is the database's file name in the data directory.
const DBFile = "regdesk.db"

// IntegrityCheck runs PRAGMA integrity_check and returns the problems it
// reports; none means the database is sound.
// PostgreSQL checks its own pages; there it only asks whether the server answers.
func (db *DB) IntegrityCheck(ctx context.Context) ([]string, error) {
	if db.d.postgres {
		return nil, db.Ping(ctx)
	}
	return integrityCheck(ctx, db.read)
}

func integrityCheck(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `PRAGMA integrity_check(20)`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, mapErr(err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	return problems, mapErr(rows.Err())
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	SchemaVersion int    // the backup's schema; newer code migrates it on the next open
	Requests      int64  // customer requests in the restored database
	Previous      string // where the replaced database was kept ("" if there was none)
}

// Restore replaces the database in dataDir with a backup made by Backup.
// It refuses while regdesk serve holds the data directory (and holds the lock
// itself meanwhile), and refuses a file that is not a sound regdesk database
// of a schema this build knows. The backup is checked on a copy inside
// dataDir, which is then renamed into place; the replaced database and its
// -wal file are kept beside it as regdesk.db.pre-restore-TIME(-wal), so no
// stale -wal or -shm file is left to be replayed into the restored one.
func Restore(ctx context.Context, dataDir, file string) (RestoreResult, error) {
	var res RestoreResult
	lock, err := LockServe(dataDir)
	if err != nil {
		if errors.Is(err, ErrServeRunning) {
			return res, fmt.Errorf("restore: stop regdesk serve first: %w", err)
		}
		return res, fmt.Errorf("restore: %w", err)
	}
	defer lock.Unlock()

	if _, err := EnsurePrivateDir(dataDir); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	target := filepath.Join(dataDir, DBFile)
	tmp := target + ".restoring"
	removeDBFiles(tmp)
	if err := copyFile(file, tmp); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer removeDBFiles(tmp) // a no-op once renamed into place
	if res, err = checkBackup(ctx, tmp); err != nil {
		return res, fmt.Errorf("restore: %s: %w", file, err)
	}
	if _, err := os.Stat(target); err == nil {
		res.Previous = target + ".pre-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(target, res.Previous); err != nil {
			return res, fmt.Errorf("restore: keep the current database: %w", err)
		}
		// The -wal file holds commits not yet copied into the main file: it
		// travels with it. The -shm index is rebuilt from the -wal on open.
		if err := os.Rename(target+"-wal", res.Previous+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("restore: keep the current database's WAL: %w", err)
		}
		if err := os.Remove(target + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("restore: remove stale %s-shm: %w", target, err)
		}
		// The kept copy is as private as the database it was.
		for _, p := range []string{res.Previous, res.Previous + "-wal"} {
			if _, err := EnsurePrivateFile(p); err != nil {
				return res, fmt.Errorf("restore: %w", err)
			}
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return res, fmt.Errorf("restore: move the backup into place: %w", err)
	}
	if err := syncDir(dataDir); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	return res, nil
}

// checkBackup opens the copy (outside the pools: nothing else may see it
// yet) and checks that it is a sound regdesk database of a known schema.
func checkBackup(ctx context.Context, path string) (RestoreResult, error) {
	var res RestoreResult
	conn, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return res, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	var n int
	err = conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master
		WHERE type = 'table' AND name IN ('schema_migrations', 'customer_requests')`).Scan(&n)
	if err != nil {
		if strings.Contains(err.Error(), "malformed") {
			return res, fmt.Errorf("the backup is damaged (%s)", oneLine(err))
		}
		return res, fmt.Errorf("not a regdesk backup (%s)", oneLine(err))
	}
	if n != 2 {
		return res, errors.New("not a regdesk backup: it has no regdesk tables")
	}
	problems, err := integrityCheck(ctx, conn)
	if err != nil {
		return res, fmt.Errorf("integrity check failed (%s)", oneLine(err))
	}
	if len(problems) > 0 {
		return res, fmt.Errorf("the backup is damaged (integrity_check: %s)", strings.Join(problems, "; "))
	}
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).
		Scan(&res.SchemaVersion); err != nil {
		return res, mapErr(err)
	}
	ms, err := Migrations()
	if err != nil {
		return res, err
	}
	if known := ms[len(ms)-1].Version; res.SchemaVersion > known {
		return res, fmt.Errorf("made by a newer regdesk (schema %d; this one knows up to %d): "+
			"restore it with that version", res.SchemaVersion, known)
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM customer_requests`).Scan(&res.Requests); err != nil {
		return res, mapErr(err)
	}
	// Leave a single file: fold any WAL the checks created back in.
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return res, mapErr(err)
	}
	return res, nil
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil {
		return err
	} else if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", from)
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func removeDBFiles(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		_ = os.Remove(p) // absent is fine; a leftover only wastes space
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
