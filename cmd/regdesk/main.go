// Command regdesk is the customer-onboarding desk: the sign-up portal, the
// approvers' Registration screen and the user request workflow, over one
// SQLite database.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	privateUmask()
	processWide = true
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		// run has printed the error (root.go: printError).
		os.Exit(exitCode(err))
	}
}

// errUsageShown means usage went to stderr already, for a mistake.
var errUsageShown = errors.New("usage")

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
