package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/tui"
)

// tuiCmd opens the Registration screen on this terminal. Logs go to
// DATA/tui.log: nothing but the screen may write to the terminal.
func tuiCmd(e *env) *cobra.Command {
	var as string
	c := define("tui", "open the Registration screen for approvers (--as APPROVER)", func(ctx context.Context, _ []string) error {
		actor := strings.TrimSpace(as)
		if actor == "" {
			actor = strings.TrimSpace(e.getenv("USER"))
		}
		if actor == "" {
			return usageErrorf("tui: say who is acting with --as APPROVER ($USER is not set)")
		}
		if err := e.requireDB(); err != nil {
			return err
		}
		if !isTerminal(e.stdin) || !isTerminal(e.stdout) {
			return fmt.Errorf("tui: needs a terminal on stdin and stdout (approvers elsewhere: ssh to regdesk serve)")
		}
		// With --db the database is elsewhere and the data directory may
		// not exist yet; it holds the log.
		if err := os.MkdirAll(e.data, 0o700); err != nil {
			return fmt.Errorf("tui: %w", err)
		}
		logFile, err := os.OpenFile(filepath.Join(e.data, "tui.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("tui: open log: %w", err)
		}
		defer logFile.Close()
		log := slog.New(slog.NewTextHandler(logFile, nil))
		db, svc, err := e.open(ctx, log)
		if err != nil {
			return err
		}
		defer db.Close()
		log.Info("tui started", "actor", actor, "db", db.String())
		err = tui.Run(ctx, tui.Config{Service: svc, DB: db, Actor: actor, Logger: log}, e.stdin, e.stdout)
		if err != nil {
			log.Error("tui ended", "err", err)
		}
		return err
	})
	c.Flags().StringVar(&as, "as", "", "approver name recorded in the audit trail (default $USER)")
	completeWith(c, "as", completeApprovers(e))
	return c
}

// isTerminal reports whether r is a terminal; a stream that is not a file
// (a test's buffer) counts as one, since the program draws on any writer.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return !ok || term.IsTerminal(f.Fd())
}
