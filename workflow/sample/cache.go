package sample

import (
	"context"
	"crypto/sha256"
	_ "embed" // the seed code is part of the cache key
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/regdesk/regdesk/store"
)

// seedSource is this package's generator, hashed into the cache key so a
// change to the sample data builds a new file.
//
//go:embed sample.go
var seedSource []byte

// CachedDB returns the path of a database of n sample requests, building it
// the first time: benchmarks at a million rows would otherwise spend minutes
// seeding on every run. The files live in REGDESK_BENCH_CACHE, else the user
// cache directory, named by n and a hash of the generator, so new seed code
// gets a new file. A new migration does not: the file is brought up to the
// current schema the way any database is, by opening it (seeding a million
// rows takes far longer than any migration). The data is the same every time
// (seed 1, fixed end date). Packages benchmarked at once
// (go test runs them in parallel) take turns on a lock: one builds, the
// others wait and reuse it. A file without exactly n requests is an error,
// never a benchmark on the wrong data.
func CachedDB(ctx context.Context, n int) (string, error) {
	dir := os.Getenv("REGDESK_BENCH_CACHE")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("sample: %w", err)
		}
		dir = filepath.Join(cache, "regdesk-bench")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("sample: %w", err)
	}
	key, err := cacheKey(n)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("requests-%d-%s.db", n, key))
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(path); err != nil {
		if err := build(ctx, path, n); err != nil {
			return "", err
		}
	}
	if err := upgrade(ctx, path); err != nil {
		return "", err
	}
	if err := checkCount(ctx, path, n); err != nil {
		return "", err
	}
	return path, nil
}

// cacheKey hashes what decides the file's data besides n.
func cacheKey(n int) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "n=%d seed=1\n", n)
	h.Write(seedSource)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// upgrade applies the migrations the file has not seen yet.
func upgrade(ctx context.Context, path string) error {
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return fmt.Errorf("sample: upgrade %s: %w", path, err)
	}
	return db.Close()
}

func build(ctx context.Context, path string, n int) error {
	tmp := path + ".tmp"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	db, err := store.Open(ctx, tmp, store.Options{WriteCacheKiB: 1 << 20})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := Seed(ctx, db, n, 1, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return err
	}
	if _, err := db.WriteDB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("sample: checkpoint: %w", err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// checkCount makes sure the file holds n requests.
func checkCount(ctx context.Context, path string, n int) error {
	r, err := store.OpenReader(ctx, path)
	if err != nil {
		return err
	}
	defer r.Close()
	counts, err := r.RequestCounts(ctx)
	if err != nil {
		return err
	}
	var total int64
	for _, c := range counts {
		total += c
	}
	if total != int64(n) {
		return fmt.Errorf("sample: %s holds %d requests, want %d (delete it to rebuild)", path, total, n)
	}
	return nil
}

// lockFile holds an exclusive flock on path until unlock is called.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sample: lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("sample: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// CopyDB copies the cached database at src (from CachedDB) to a new file
// dst, for a benchmark that writes, and syncs the copy before returning:
// the kernel writing back gigabytes of a million-row copy would otherwise
// take CPU and disk from whatever is timed next.
func CopyDB(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
