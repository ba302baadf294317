package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The database holds password hashes and personal data, so everything regdesk
// writes in the data directory is for the service's own user only, whatever
// umask the operator's shell or unit file has.
const (
	PrivateFile fs.FileMode = 0o600
	PrivateDir  fs.FileMode = 0o700
)

// EnsurePrivateDir creates dir with mode 0700, or narrows an existing one that
// other users can enter. It returns a warning for the operator when it had to
// narrow it, and an error when it cannot.
func EnsurePrivateDir(dir string) (string, error) {
	if err := os.MkdirAll(dir, PrivateDir); err != nil {
		return "", fmt.Errorf("store: create %s: %w", dir, err)
	}
	return narrow(dir, PrivateDir)
}

// EnsurePrivateFile narrows an existing file to 0600; a missing file is fine.
func EnsurePrivateFile(path string) (string, error) {
	return narrow(path, PrivateFile)
}

func narrow(path string, want fs.FileMode) (string, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	if fi.Mode().Perm()&^want == 0 {
		return "", nil
	}
	if err := os.Chmod(path, want); err != nil {
		return "", fmt.Errorf("store: %s is mode %04o, readable by other users, and cannot be narrowed: %w",
			path, fi.Mode().Perm(), err)
	}
	return fmt.Sprintf("%s was mode %04o, readable by other users; narrowed to %04o", path, fi.Mode().Perm(), want), nil
}

// createPrivate creates path (which must not exist) empty with mode 0600, so
// SQLite, which keeps an existing file's mode and gives its -wal and -shm
// files the same, never makes a world-readable database.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, PrivateFile)
	if err != nil {
		return err
	}
	return f.Close()
}

// secureDBFiles makes the database's directory 0700 and the database, its
// WAL and shared-memory files 0600, creating an empty database file first
// when there is none. Each narrowing is reported to warn.
func secureDBFiles(dir, path string, warn func(string)) error {
	w, err := EnsurePrivateDir(dir)
	if err != nil {
		return err
	}
	report := func(w string) {
		if w != "" && warn != nil {
			warn(w)
		}
	}
	report(w)
	if err := createPrivate(path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		w, err := EnsurePrivateFile(p)
		if err != nil {
			return err
		}
		report(w)
	}
	return nil
}
