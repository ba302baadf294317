package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/ssh"

	"github.com/regdesk/regdesk/tui"
)

// sshPart serves the Registration screen to approvers over SSH on o.SSH.
func sshPart(d serveDeps, o serveOptions) (part, error) {
	srv, err := tui.NewSSHServer(tui.SSHConfig{Addr: o.SSH, DB: d.DB, Logger: d.Logger,
		HostKeyPath: filepath.Join(d.DataDir, tui.SSHHostKeyFile),
		NewModel: func(sess ssh.Session, approver string) (tea.Model, error) {
			// The session's context ends the TUI's change watcher with it.
			return tui.New(tui.Config{Context: sess.Context(), Service: d.Service, DB: d.DB,
				Actor: approver, Logger: d.Logger.With("approver", approver)}), nil
		}})
	if err != nil {
		return part{}, err
	}
	ln, err := net.Listen("tcp", o.SSH)
	if err != nil {
		return part{}, fmt.Errorf("serve: --ssh %s: %w", o.SSH, err)
	}
	addr := ln.Addr().String()
	host, port, _ := net.SplitHostPort(addr)
	return part{name: "ssh", banner: fmt.Sprintf("approvers: ssh -p %s %s", port, host), run: func(ctx context.Context) error {
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ln) }()
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		if serr := <-errc; serr != nil && err == nil {
			err = serr
		}
		return err
	}}, nil
}
