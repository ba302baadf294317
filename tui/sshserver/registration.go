package sshserver

import (
	"log/slog"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/ssh"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/tui"
	"github.com/regdesk/regdesk/workflow"
)

// Registration is the session factory `regdesk serve` uses: every approver
// gets the Registration screen, acting under the name their key is
// registered to (never the SSH user name).
func Registration(svc *workflow.Service, db *store.DB, log *slog.Logger) func(ssh.Session, string) (tea.Model, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(sess ssh.Session, approver string) (tea.Model, error) {
		// The session's context ends the screen's change watcher with it.
		return tui.New(tui.Config{Context: sess.Context(), Service: svc, DB: db,
			Actor: approver, Logger: log.With("approver", approver)}), nil
	}
}
