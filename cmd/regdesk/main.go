// Command regdesk is the customer-onboarding desk: the sign-up portal, the
// approvers' Registration screen and the user request workflow, over one
// SQLite database.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	privateUmask()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, errHelpShown) {
		if !errors.Is(err, errUsageShown) {
			fmt.Fprintln(os.Stderr, "regdesk: "+oneLine(err.Error()))
		}
		os.Exit(exitCode(err))
	}
}

// command is one subcommand; group commands ("requests") dispatch further.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: its streams and the process environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() map[string]command {
	return map[string]command{
		"requests":      {"list, show, approve, reject, create, resend, export, erase requests", runRequests},
		"user-requests": {"list and provision user requests", runUserRequests},
		"customers":     {"list customer accounts", runCustomers},
		"approvers":     {"add, list and remove approvers and their SSH keys", runApprovers},
		"params":        {"show and set the customer self-service parameters", runParams},
		"mail":          {"list the mail outbox", runMail},
		"serve":         {"run the portal, the mail worker and the workflow", runServe},
		"seed":          {"fill the database with realistic sample requests", runSeed},
		"tui":           {"open the Registration screen for approvers (--as APPROVER)", runTUI},
		"backup":        {"write a consistent copy of the database to FILE", runBackup},
		"restore":       {"replace the database with a backup FILE (refused while serve runs)", runRestore},
		"maintenance":   {"run expiry and data retention once (serve runs it on a schedule)", runMaintenance},
		"version":       {"print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return errUsageShown
		}
		return nil
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		return usageErrorf("unknown command %q (regdesk help lists them)", args[0])
	}
	return cmd.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "regdesk — customer onboarding desk\n\nUsage: regdesk COMMAND [ARGS] [FLAGS]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nEvery flag also reads REGDESK_<FLAG> from the environment; --data defaults to ./regdesk-data.")
}

// errUsageShown means usage went to stderr already, for a mistake.
var errUsageShown = errors.New("usage")

// errHelpShown means usage went to stderr because it was asked for (--help).
var errHelpShown = errors.New("help")

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, errUsageShown) {
		return 2
	}
	return 1
}

// oneLine keeps an error to one line on stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
