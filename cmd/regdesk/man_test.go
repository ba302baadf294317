package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// leaves is every command a user runs, from the same definitions as --help.
func leaves(t *testing.T) []*cobra.Command {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: os.Getenv}
	var out []*cobra.Command
	walk(newRoot(e), func(c *cobra.Command) {
		if c.HasParent() && !c.HasAvailableSubCommands() {
			out = append(out, c)
		}
	})
	if len(out) < 25 {
		t.Fatalf("only %d commands", len(out))
	}
	return out
}

func TestMan_Page(t *testing.T) {
	t.Parallel()
	page, err := inproc(t, "man")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(page, ".TH REGDESK 1 ") {
		t.Fatalf("not a section 1 page: %.80q", page)
	}
	for _, sec := range []string{".SH NAME", ".SH SYNOPSIS", ".SH COMMANDS", ".SH ENVIRONMENT", ".SH FILES", ".SH EXIT STATUS"} {
		if !strings.Contains(page, sec) {
			t.Errorf("no %s", sec)
		}
	}
	for _, c := range leaves(t) {
		if !strings.Contains(page, `\fB`+c.Name()+`\fP`) {
			t.Errorf("the page lacks the command %q", commandName(c))
		}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			if !strings.Contains(page, `\fB--`+f.Name+`\fP`) {
				t.Errorf("the page lacks %s --%s", commandName(c), f.Name)
			}
			if !strings.Contains(page, envName(f.Name)) {
				t.Errorf("the page lacks the environment variable %s", envName(f.Name))
			}
		})
	}

	// man(1) reads it without a warning.
	groff, err := exec.LookPath("groff")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("groff is not installed")
		}
		t.Skip("groff is not installed; the page's structure is checked, its rendering is not (apt-get install groff-base)")
	}
	cmd := exec.Command(groff, "-k", "-man", "-Tutf8", "-ww", "-z") // -k: UTF-8 input, as man(1) reads it
	cmd.Stdin = strings.NewReader(page)
	var warn bytes.Buffer
	cmd.Stderr = &warn
	if err := cmd.Run(); err != nil || warn.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, warn.String())
	}
}

// docs/cli.md is the same reference in Markdown; make docs rewrites it.
func TestMan_MarkdownIsCurrent(t *testing.T) {
	t.Parallel()
	got, err := inproc(t, "man", "--markdown")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range leaves(t) {
		if !strings.Contains(got, "\n## "+c.CommandPath()+"\n") {
			t.Errorf("the reference lacks %s", c.CommandPath())
		}
	}
	want, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatalf("%v (run make docs)", err)
	}
	if got != string(want) {
		t.Fatal("docs/cli.md is out of date with the command definitions: run make docs")
	}
}

// Every flag of every command reads REGDESK_<FLAG>, --help shows it, and a
// bad value there is a usage mistake that names the variable.
func TestCLI_EnvironmentAndHelp(t *testing.T) {
	data := newData(t)
	if _, err := inproc(t, "seed", "--requests", "5", "--data", data); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REGDESK_LIMIT", "2")
	t.Setenv("REGDESK_JSON", "true")
	out, err := inproc(t, "requests", "list", "--data", data)
	if err != nil || strings.Count(out, `"number"`) != 2 {
		t.Fatalf("REGDESK_LIMIT=2 REGDESK_JSON=true: %v\n%s", err, out)
	}
	out, err = inproc(t, "requests", "list", "--limit", "3", "--data", data)
	if err != nil || strings.Count(out, `"number"`) != 3 {
		t.Fatalf("the command line wins over the environment: %v\n%s", err, out)
	}
	t.Setenv("REGDESK_LIMIT", "many")
	_, err = inproc(t, "requests", "list", "--data", data)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "REGDESK_LIMIT") {
		t.Fatalf("a bad REGDESK_LIMIT: %v", err)
	}

	for _, args := range [][]string{{"--help"}, {"requests", "approve", "--help"}, {"help", "serve"}, {"requests", "-h"}} {
		out, err := inproc(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if !strings.Contains(out, "USAGE") {
			t.Fatalf("%v shows no usage:\n%s", args, out)
		}
	}
	if out, _ := inproc(t, "requests", "approve", "--help"); !strings.Contains(out, "--as") {
		t.Fatalf("approve --help lacks --as:\n%s", out)
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), nil, strings.NewReader(""), &stdout, &stderr)
	if exitCode(err) != 2 || !strings.Contains(stderr.String(), "requests") || stdout.Len() != 0 {
		t.Fatalf("bare regdesk: exit %d, stdout %q, stderr %q", exitCode(err), stdout.String(), stderr.String())
	}
	out, err = inproc(t, "--version")
	if err != nil || !strings.Contains(out, version) {
		t.Fatalf("--version: %q %v", out, err)
	}
}
