package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// ServeLockFile is the lock file `regdesk serve` holds in the data directory.
const ServeLockFile = "serve.lock"

// ErrServeRunning means another process holds the data directory's serve lock.
var ErrServeRunning = errors.New("regdesk serve is running on this data directory")

// ServeLock is an flock(2) on DATA/serve.lock, held while serve runs (and
// while a restore replaces the database). The kernel drops it when the
// process exits, however it exits, so a crash leaves no stale lock.
type ServeLock struct{ f *os.File }

// LockServe takes the serve lock of dataDir or returns ErrServeRunning.
func LockServe(dataDir string) (*ServeLock, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, ServeLockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is locked)", ErrServeRunning, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	// The pid is for people reading the file; the lock is what counts.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &ServeLock{f: f}, nil
}

// ServeRunning reports whether a process holds dataDir's serve lock.
func ServeRunning(dataDir string) (bool, error) {
	l, err := LockServe(dataDir)
	if errors.Is(err, ErrServeRunning) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, l.Unlock()
}

// Unlock releases the lock.
func (l *ServeLock) Unlock() error {
	err := unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	return errors.Join(err, l.f.Close())
}
