package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/jobs"
)

// flags is a subcommand's flag set with the flags every command shares.
type flags struct {
	*flag.FlagSet
	env  *env
	data *string
}

func newFlags(e *env, name string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &flags{FlagSet: fs, env: e}
	f.data = fs.String("data", "./regdesk-data", "data directory (holds regdesk.db)")
	return f
}

// parse accepts flags before, between and after positional arguments
// ("requests approve REG-1 --as alice"), then fills every flag not given on
// the command line from REGDESK_<FLAG>. It returns the positional arguments.
func (f *flags) parse(args []string, positional ...string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage(positional)
				return nil, errHelpShown
			}
			return nil, usageErrorf("%s: %v", f.Name(), err)
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var envErr error
	f.VisitAll(func(fl *flag.Flag) {
		if set[fl.Name] || envErr != nil {
			return
		}
		key := "REGDESK_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		if v := f.env.getenv(key); v != "" {
			if err := fl.Value.Set(v); err != nil {
				envErr = usageErrorf("%s=%q: %v", key, v, err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if len(pos) != len(positional) {
		if len(pos) < len(positional) {
			return nil, usageErrorf("%s: missing %s", f.Name(), strings.Join(positional[len(pos):], " "))
		}
		return nil, usageErrorf("%s: unexpected argument %q", f.Name(), pos[len(positional)])
	}
	return pos, nil
}

func (f *flags) printUsage(positional []string) {
	w := f.env.stderr
	fmt.Fprintf(w, "Usage: regdesk %s %s [FLAGS]\n\nFlags:\n", f.Name(), strings.Join(positional, " "))
	f.VisitAll(func(fl *flag.Flag) {
		name, usage := flag.UnquoteUsage(fl)
		fmt.Fprintf(w, "  --%s %s\n        %s", fl.Name, name, usage)
		if fl.DefValue != "" && fl.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", fl.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// dbPath is the database file in the data directory.
func (f *flags) dbPath() string { return filepath.Join(*f.data, "regdesk.db") }

// open opens (and migrates) an existing database and the workflow service
// on it. A missing database is an error, so a mistyped --data gets a clear
// message instead of an empty list and a new directory.
func (f *flags) open(ctx context.Context, log *slog.Logger) (*store.DB, *workflow.Service, error) {
	if err := f.requireDB(); err != nil {
		return nil, nil, err
	}
	return f.openOrCreate(ctx, log)
}

// requireDB refuses a data directory without a database.
func (f *flags) requireDB() error {
	if _, err := os.Stat(f.dbPath()); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s (check --data or REGDESK_DATA; regdesk serve or regdesk approvers add creates one)", f.dbPath())
	}
	return nil
}

// openOrCreate is open for the setup commands that may create the database
// (approvers add, params set). The service inserts jobs with an insert-only
// queue client, so mail and workflow steps caused by a command are picked up
// by a running serve.
func (f *flags) openOrCreate(ctx context.Context, log *slog.Logger) (*store.DB, *workflow.Service, error) {
	db, err := store.Open(ctx, f.dbPath(), store.Options{
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
	svc := workflow.New(workflow.Config{DB: db, Logger: log, Jobs: q})
	return db, svc, nil
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// numberAction runs a command of the form `NAME NUMBER --as A`: parse, open
// the service, act, and print the one-line outcome act returns.
func numberAction(ctx context.Context, e *env, args []string, name, asHelp string,
	act func(ctx context.Context, svc *workflow.Service, a workflow.Action) (string, error)) error {
	f := newFlags(e, name)
	as := f.String("as", "", asHelp)
	pos, err := f.parse(args, "NUMBER")
	if err != nil {
		return err
	}
	db, svc, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := act(ctx, svc, workflow.Action{Number: pos[0], Actor: *as})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, out)
	return nil
}
