package sample

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/regdesk/regdesk/store"
)

// CachedDB returns the path of a database of n sample requests, building it
// the first time: benchmarks at a million rows would otherwise spend minutes
// seeding on every run. The files live in REGDESK_BENCH_CACHE, else the user
// cache directory, and are named by schema version, so a new migration gets
// a new file. The data is the same every time (seed 1, fixed end date).
func CachedDB(ctx context.Context, n int) (string, error) {
	dir := os.Getenv("REGDESK_BENCH_CACHE")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("sample: %w", err)
		}
		dir = filepath.Join(cache, "regdesk-bench")
	}
	ms, err := store.Migrations()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("requests-%d-schema%d.db", n, ms[len(ms)-1].Version))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	db, err := store.Open(ctx, tmp, store.Options{WriteCacheKiB: 1 << 20})
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := Seed(ctx, db, n, 1, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return "", err
	}
	if _, err := db.WriteDB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return "", fmt.Errorf("sample: checkpoint: %w", err)
	}
	if err := db.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}
