package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/jobs"
)

func migrateStoreCmd(e *env) *cobra.Command {
	var to string
	var asJSON bool
	c := define("migrate-store", "copy the installation's SQLite database into an empty PostgreSQL database (--to URL), verified by row counts and checksums", func(ctx context.Context, _ []string) error {
		if to == "" {
			return usageErrorf("migrate-store: say where to with --to postgres://user@host/db")
		}
		if !store.IsPostgresURL(to) {
			return usageErrorf("migrate-store: --to %q: want a PostgreSQL URL such as postgres://regdesk@db.example.com/regdesk", store.DisplayName(to))
		}
		if e.db != "" {
			return usageErrorf("migrate-store: the source is the SQLite file in --data; leave --db out")
		}
		if err := e.requireDB(); err != nil {
			return err
		}
		// Held for the whole copy: a serve starting meanwhile waits for it.
		lock, err := store.LockServe(e.data)
		if errors.Is(err, store.ErrServeRunning) {
			return fmt.Errorf("migrate-store: regdesk serve is running on %s; stop it first, so that nothing changes during the copy", e.data)
		}
		if err != nil {
			return err
		}
		defer lock.Unlock()
		src, err := store.Open(ctx, e.dbPath(), store.Options{})
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := store.Open(ctx, to, store.Options{})
		if err != nil {
			return err
		}
		defer dst.Close()
		if err := jobs.Migrate(ctx, dst, nil); err != nil {
			return err
		}
		show := copyReporter(e.stdout, asJSON)
		start := time.Now()
		tables, err := src.CopyTo(ctx, dst, show.progress)
		show.done()
		if err != nil {
			return err
		}
		var rows int64
		for _, t := range tables {
			rows += t.Rows
		}
		if asJSON {
			return printJSON(e.stdout, struct {
				From     string              `json:"from"`
				To       string              `json:"to"`
				Tables   []store.CopiedTable `json:"tables"`
				Rows     int64               `json:"rows"`
				Verified bool                `json:"verified"`
			}{e.dbPath(), dst.String(), tables, rows, true})
		}
		fmt.Fprintf(e.stdout, "copied %d rows in %d tables to %s in %s; counts and checksums match\n",
			rows, len(tables), dst.String(), time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(e.stdout, "run regdesk with --db %s (or REGDESK_DB) from now on\n", dst.String())
		return nil
	})
	c.Flags().StringVar(&to, "to", "", "the PostgreSQL database to copy into (postgres://user@host/db); it must hold no data yet")
	c.Flags().BoolVar(&asJSON, "json", false, "print the verified tables as JSON")
	completeWith(c, "to", cobra.NoFileCompletions)
	return c
}

// reporter shows a copy's progress: a bar on a terminal, a line per table
// when the output is piped, nothing with --json.
type reporter struct {
	w     io.Writer
	bar   *progress.Model // nil unless on a terminal
	quiet bool
	drawn bool
}

func copyReporter(w io.Writer, asJSON bool) *reporter {
	r := &reporter{w: w, quiet: asJSON}
	if f, ok := w.(*os.File); ok && !asJSON && term.IsTerminal(f.Fd()) {
		bar := progress.New(progress.WithDefaultBlend(), progress.WithWidth(40))
		r.bar = &bar
	}
	return r
}

func (r *reporter) progress(table string, done, total int64) {
	switch {
	case r.quiet:
	case r.bar != nil:
		pct := 1.0
		if total > 0 {
			pct = float64(done) / float64(total)
		}
		fmt.Fprintf(r.w, "\r\x1b[2K%-20s %s %d/%d", table, r.bar.ViewAs(pct), done, total)
		r.drawn = true
	case done == total:
		fmt.Fprintf(r.w, "%s: %d rows\n", table, total)
	}
}

func (r *reporter) done() {
	if r.drawn {
		fmt.Fprint(r.w, "\r\x1b[2K")
	}
}
