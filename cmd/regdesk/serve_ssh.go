package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/regdesk/regdesk/tui/sshserver"
)

// sshPart serves the Registration screen to approvers over SSH on o.SSH.
func sshPart(d serveDeps, o serveOptions) (part, error) {
	srv, err := sshserver.New(sshserver.Config{Addr: o.SSH, DB: d.DB, Logger: d.Logger,
		HostKeyPath: filepath.Join(d.DataDir, sshserver.HostKeyFile),
		NewModel:    sshserver.Registration(d.Service, d.DB, d.Logger)})
	if err != nil {
		return part{}, err
	}
	ln, err := net.Listen("tcp", o.SSH)
	if err != nil {
		return part{}, fmt.Errorf("serve: --ssh %s: %w", o.SSH, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	return part{name: "ssh", banner: fmt.Sprintf("approvers: ssh -p %s %s", port, host),
		run: func(ctx context.Context) error { return srv.Run(ctx, ln, 10*time.Second) }}, nil
}
