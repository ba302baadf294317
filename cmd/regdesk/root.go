package main

// How to add a command
//
// Every command is a *cobra.Command built by define (a leaf) or group (a
// command that only holds subcommands), in a file named after its group
// (requests.go, approvers.go…). A leaf looks like this:
//
//	func requestsApprove(e *env) *cobra.Command {
//		var as string
//		c := define("approve NUMBER", "approve a verified request", func(ctx context.Context, args []string) error {
//			… args[0] is NUMBER; e.open(ctx, nil) opens the database; print to e.stdout …
//		})
//		c.Flags().StringVar(&as, "as", "", "approver acting")
//		c.ValidArgsFunction = completeRequests(e, domain.Verified) // what TAB offers for NUMBER
//		completeWith(c, "as", completeApprovers(e))                 // and for --as
//		return c
//	}
//
// and is added to its group in newRoot. What define and the root give every
// command, so a new one gets it for free:
//   - the positional names in Use are counted ("missing NUMBER", exit 2);
//   - every flag reads REGDESK_<FLAG> when not given (--data: REGDESK_DATA);
//   - a usageErrorf error exits 2, any other error 1, printed as one line;
//   - --help, `regdesk help CMD`, the man page and docs/cli.md (make docs)
//     come from the same definition, so Short and flag usages are the docs.
// Open the database with e.open (refuses a missing one) unless the command
// sets up a new installation (e.openOrCreate). Don't set PersistentPreRunE on
// a command: the root's reads the environment.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"charm.land/fang/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"
)

// env is what every command gets: its streams, the process environment and
// the --data directory.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	data           string
	db             dbURL          // --db; empty: the SQLite file in data
	root           *cobra.Command // the whole command line, for the manual
}

// newRoot defines the whole command line.
func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "regdesk",
		Short: "the customer onboarding desk",
		Long: "regdesk turns a stranger on the web into a registered, logged-in customer, with a human " +
			"approver in between: the sign-up portal, the approvers' Registration screen and the user " +
			"request workflow, over one database.\n\n" +
			"Every flag also reads REGDESK_<FLAG> from the environment (--data: REGDESK_DATA).",
		// Bare `regdesk` is a mistake: the commands go to stderr, exit 2.
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q (regdesk help lists them)", args[0])
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error {
			c.SetOut(e.stderr)
			if err := c.Help(); err != nil {
				return err
			}
			return errUsageShown
		},
		PersistentPreRunE: func(c *cobra.Command, _ []string) error { return bindEnv(c, e.getenv) },
		SilenceErrors:     true,
		SilenceUsage:      true,
	}
	root.PersistentFlags().StringVar(&e.data, "data", "./regdesk-data", "data directory (holds regdesk.db)")
	root.PersistentFlags().Var(&e.db, "db", "PostgreSQL database (postgres://user@host/db) shared by several processes; default: regdesk.db in --data")
	root.SetFlagErrorFunc(flagError)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)

	root.AddGroup(&cobra.Group{ID: "desk", Title: "Requests and customers"},
		&cobra.Group{ID: "setup", Title: "Setting up"},
		&cobra.Group{ID: "run", Title: "Running"})
	for _, c := range []struct {
		group string
		cmd   *cobra.Command
	}{
		{"desk", requestsCmd(e)},
		{"desk", userRequestsCmd(e)},
		{"desk", customersCmd(e)},
		{"desk", usersCmd(e)},
		{"desk", mailCmd(e)},
		{"desk", insightsCmd(e)},
		{"setup", approversCmd(e)},
		{"setup", paramsCmd(e)},
		{"setup", sequencesCmd(e)},
		{"setup", templatesCmd(e)},
		{"setup", seedCmd(e)},
		{"setup", webhooksCmd(e)},
		{"setup", tokensCmd(e)},
		{"run", serveCmd(e)},
		{"run", tuiCmd(e)},
		{"run", backupCmd(e)},
		{"run", restoreCmd(e)},
		{"run", migrateStoreCmd(e)},
		{"run", maintenanceCmd(e)},
	} {
		c.cmd.GroupID = c.group
		root.AddCommand(c.cmd)
	}
	root.AddCommand(versionCmd(e), manCmd(e))
	// cobra's `completion bash|zsh|fish|powershell`, made now so that the
	// manual lists it and a missing or unknown shell is a usage error.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args, c.RunE = cobra.ArbitraryArgs, groupRun
		}
	}
	e.root = root
	return root
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runWithEnv(ctx, args, stdin, stdout, stderr, os.Getenv)
}

// runWithEnv is run with the environment read through getenv.
func runWithEnv(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer,
	getenv func(string) string) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := newRoot(e)
	root.SetArgs(args)
	return fang.Execute(ctx, root,
		fang.WithVersion(versionString()),
		fang.WithoutManpage(), // regdesk man writes to the command's stdout and adds the environment
		fang.WithErrorHandler(printError))
}

// printError writes err as one line on stderr; usage already shown needs nothing more.
func printError(w io.Writer, styles fang.Styles, err error) {
	if errors.Is(err, errUsageShown) {
		return
	}
	prefix := lipgloss.NewStyle().Foreground(styles.ErrorHeader.GetBackground()).Bold(true).Render("regdesk:")
	fmt.Fprintln(w, prefix+" "+oneLine(safe(err.Error())))
}
