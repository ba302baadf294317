//go:build unix

package main

import "golang.org/x/sys/unix"

// privateUmask makes every file regdesk creates (database, WAL, backups,
// mail files, keys) readable by the service user only, whatever umask the
// shell or unit file set; the store narrows existing files as well.
func privateUmask() { unix.Umask(0o077) }
