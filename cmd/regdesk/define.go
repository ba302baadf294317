package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// define builds a leaf command the regdesk way. use is the name followed by
// the positional arguments ("approve NUMBER", "set KEY VALUE"; "[NAME]" is
// optional, "NAME..." takes one or more); they are counted before run is
// called, with "missing NUMBER" or "unexpected argument" as a usage error
// (exit 2). Flags are added to c.Flags() after define returns and read
// REGDESK_<FLAG> when not given (see bindEnv, run by the root).
func define(use, short string, run func(ctx context.Context, args []string) error) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		RunE:  func(c *cobra.Command, args []string) error { return run(c.Context(), args) },
	}
	c.Args = func(c *cobra.Command, args []string) error { return checkArgs(c, args) }
	return c
}

// group builds a command that only holds subcommands; run without one, or
// with an unknown one, it is a usage error naming the subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs, RunE: groupRun}
	c.AddCommand(subs...)
	return c
}

// groupRun is a group command run without a known subcommand.
func groupRun(c *cobra.Command, args []string) error {
	var names []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	list := strings.Join(names, ", ")
	if len(args) == 0 {
		return usageErrorf("%s: missing subcommand (%s)", c.Name(), list)
	}
	return usageErrorf("%s: unknown subcommand %q (%s)", c.Name(), args[0], list)
}

// positional returns the argument names in a command's Use line.
func positional(c *cobra.Command) []string {
	f := strings.Fields(c.Use)
	if len(f) == 0 {
		return nil
	}
	return f[1:]
}

// checkArgs counts args against the names in c.Use.
func checkArgs(c *cobra.Command, args []string) error {
	names := positional(c)
	min, max := 0, 0
	for _, n := range names {
		switch {
		case strings.HasSuffix(n, "..."):
			min, max = min+1, -1
		case strings.HasPrefix(n, "["):
			if max >= 0 {
				max++
			}
		default:
			min++
			if max >= 0 {
				max++
			}
		}
	}
	name := commandName(c)
	if len(args) < min {
		var missing []string
		for _, n := range names[len(args):] {
			if !strings.HasPrefix(n, "[") {
				missing = append(missing, strings.TrimSuffix(n, "..."))
			}
		}
		return usageErrorf("%s: missing %s", name, strings.Join(missing, " "))
	}
	if max >= 0 && len(args) > max {
		return usageErrorf("%s: unexpected argument %q", name, args[max])
	}
	return nil
}

// commandName is the command's path without "regdesk ": "requests list".
func commandName(c *cobra.Command) string {
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
}

// envName is the environment variable a flag falls back to.
func envName(flag string) string {
	return "REGDESK_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv fills every flag of c not given on the command line from
// REGDESK_<FLAG>. --help and --version are the command line's own.
func bindEnv(c *cobra.Command, getenv func(string) string) error {
	var err error
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" || f.Name == "version" {
			return
		}
		key := envName(f.Name)
		if v := getenv(key); v != "" {
			if serr := c.Flags().Set(f.Name, v); serr != nil {
				err = usageErrorf("%s=%q: %v", key, v, serr)
			}
		}
	})
	return err
}

// flagError turns the flag parser's complaint into a usage error, in the
// words Go's own flag package uses for an unknown flag.
func flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	var ne *pflag.NotExistError
	if errors.As(err, &ne) {
		msg = "flag provided but not defined: " + flagSpelling(msg)
	}
	return usageErrorf("%s: %s", commandName(c), msg)
}

// flagSpelling is the flag as typed, from pflag's "unknown flag: --x" or
// "unknown shorthand flag: 'x' in -x".
func flagSpelling(msg string) string {
	if _, after, ok := strings.Cut(msg, " in "); ok {
		return after
	}
	if _, after, ok := strings.Cut(msg, ": "); ok {
		return after
	}
	return msg
}

// completeWith registers a flag's completion, failing loudly when the flag
// is not defined (a typo in a command definition).
func completeWith(c *cobra.Command, flag string, fn cobra.CompletionFunc) {
	if err := c.RegisterFlagCompletionFunc(flag, fn); err != nil {
		panic(fmt.Sprintf("regdesk: %s --%s: %v", c.Name(), flag, err))
	}
}
