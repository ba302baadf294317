package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/jobs"
)

// dbPath is where the database is: the --db URL, else the SQLite file in
// the data directory.
func (e *env) dbPath() string {
	if e.db != "" {
		return string(e.db)
	}
	return filepath.Join(e.data, store.DBFile)
}

// dbName names the database in messages (a URL without its password).
func (e *env) dbName() string { return store.DisplayName(e.dbPath()) }

// dbURL is the --db flag: a PostgreSQL URL, checked when set (from the
// command line or REGDESK_DB).
type dbURL string

func (u *dbURL) String() string { return string(*u) }
func (u *dbURL) Type() string   { return "URL" }

func (u *dbURL) Set(s string) error {
	if s == "" {
		*u = ""
		return nil
	}
	if !store.IsPostgresURL(s) {
		return errors.New("want a PostgreSQL URL such as postgres://regdesk@db.example.com/regdesk (the SQLite file is the default: leave --db out)")
	}
	if _, err := url.Parse(s); err != nil {
		return errors.New("not a URL: " + store.DisplayName(s))
	}
	*u = dbURL(s)
	return nil
}

// open opens (and migrates) an existing database and the workflow service
// on it. A missing database is an error, so a mistyped --data gets a clear
// message instead of an empty list and a new directory.
func (e *env) open(ctx context.Context, log *slog.Logger) (*store.DB, *workflow.Service, error) {
	if err := e.requireDB(); err != nil {
		return nil, nil, err
	}
	return e.openOrCreate(ctx, log)
}

// requireDB refuses a data directory without a database. A PostgreSQL
// database is the operator's to create; connecting tells whether it is there.
func (e *env) requireDB() error {
	if e.db != "" {
		return nil
	}
	if _, err := os.Stat(e.dbPath()); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s (check --data or REGDESK_DATA; regdesk serve or regdesk approvers add creates one)", e.dbPath())
	}
	return nil
}

// openOrCreate is open for the setup commands that may create the database
// (approvers add, params set). The service inserts jobs with an insert-only
// queue client, so mail and workflow steps caused by a command are picked up
// by a running serve.
func (e *env) openOrCreate(ctx context.Context, log *slog.Logger) (*store.DB, *workflow.Service, error) {
	db, err := store.Open(ctx, e.dbPath(), store.Options{
		OSUser: osUser(e.getenv),
		Warn: func(msg string) {
			if log == nil {
				log = slog.Default() // stderr
			}
			log.Warn(msg)
		}})
	if err != nil {
		return nil, nil, err
	}
	q, err := jobs.NewInserter(ctx, db, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	domains, err := e.disposableDomains()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc := workflow.New(workflow.Config{DB: db, Logger: log, Jobs: q, DisposableDomains: domains})
	return db, svc, nil
}

// disposableDomains are the operator's additions to the built-in list of
// disposable-mail domains: DATA/disposable-domains.txt, when there is one.
func (e *env) disposableDomains() ([]string, error) {
	return workflow.ReadDomainList(filepath.Join(e.data, "disposable-domains.txt"))
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// numberAction defines a command of the form `NAME NUMBER --as A`: open the
// service, act, and print the one-line outcome act returns. NUMBER completes
// from the requests (or user requests) complete offers.
func numberAction(e *env, use, short, asHelp string, complete cobra.CompletionFunc,
	act func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error)) *cobra.Command {
	var as string
	c := define(use, short, func(ctx context.Context, args []string) error {
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		out, err := act(ctx, svc, workflow.Action{Number: args[0], Actor: as})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, out)
		return nil
	})
	c.Flags().StringVar(&as, "as", "", asHelp)
	c.ValidArgsFunction = complete
	completeWith(c, "as", completeApprovers(e))
	return c
}
