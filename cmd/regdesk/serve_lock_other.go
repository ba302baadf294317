//go:build !unix

package main

import (
	"fmt"
	"os"
)

// lockDataDir only creates the directory where flock is not available; run
// one serve per data directory.
func lockDataDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("serve: data directory: %w", err)
	}
	return func() {}, nil
}
