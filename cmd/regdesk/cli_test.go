package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store/storetest"
)

// result is one run of the built binary.
type result struct {
	stdout, stderr string
	code           int
}

// regdesk runs a command line as an operator would, with stdin, and
// returns what it printed and the exit status the binary would give
// (exitCode). It runs in the test process, through the same run that main
// calls: the tests run hundreds of commands, and a process each (a
// race-built one under -race) cost most of the suite's time.
// TestCLI_BinaryExitStatus checks that the binary itself agrees.
// Standard input is a pipe, as it is for a command in a script, and
// REGDESK_DATA and REGDESK_DB are unset: data and the database come from
// the command line.
func regdesk(t *testing.T, data, stdin string, args ...string) result {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		io.WriteString(pw, stdin) // a command that stops reading closes pr: the write ends
		pw.Close()
	}()
	defer pr.Close()
	getenv := func(k string) string {
		if k == "REGDESK_DATA" || k == "REGDESK_DB" {
			return ""
		}
		return os.Getenv(k)
	}
	var out, errb bytes.Buffer
	err = runWithEnv(context.Background(), withDB(data, append(args, "--data", data)), pr, &out, &errb, getenv)
	r := result{stdout: out.String(), stderr: errb.String()}
	if err != nil {
		r.code = exitCode(err)
	}
	return r
}

// regdeskBinary is regdesk through the built binary, in a process of its own.
func regdeskBinary(t *testing.T, data, stdin string, args ...string) result {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, withDB(data, append(args, "--data", data))...)
	cmd.Env = append(os.Environ(), "REGDESK_DATA=", "REGDESK_DB=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r result) ok(t *testing.T) string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	return r.stdout
}

// fails checks a refused command: non-zero exit, one line on stderr that
// says why, nothing on stdout.
func (r result) fails(t *testing.T, want string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("succeeded, want an error mentioning %q; stdout: %s", want, r.stdout)
	}
	if strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not mention %q", r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout on error: %q", r.stdout)
	}
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// TestCLI_EndToEnd runs the commands on the SQLite file and, through --db,
// on PostgreSQL: every command works on both stores.
func TestCLI_EndToEnd(t *testing.T) {
	t.Parallel()
	storetest.BothStoresAlready(t)
	t.Run("sqlite", func(t *testing.T) { cliEndToEnd(t, "") })
	t.Run("postgres", func(t *testing.T) { cliEndToEnd(t, storetest.PostgresURL(t)) })
}

func cliEndToEnd(t *testing.T, db string) {
	data := t.TempDir()
	rd := func(stdin string, args ...string) result {
		t.Helper()
		if db != "" {
			args = append(args, "--db", db)
		}
		return regdesk(t, data, stdin, args...)
	}
	out := rd("", "seed", "--requests", "300").ok(t)
	if !strings.HasPrefix(out, "added 300 requests") {
		t.Fatalf("seed: %q", out)
	}

	verified := decode[[]map[string]any](t, rd("", "requests", "list",
		"--status", "verified", "--limit", "0", "--json").ok(t))
	if len(verified) == 0 {
		t.Fatal("seed made no verified requests")
	}
	for i, r := range verified {
		for _, k := range []string{"number", "status", "company_name", "email", "username", "created_at", "customer_account"} {
			if _, ok := r[k]; !ok {
				t.Fatalf("request JSON lacks %q: %v", k, r)
			}
		}
		if r["status"] != "verified" {
			t.Fatalf("--status verified listed %v", r["status"])
		}
		if i > 0 && r["number"].(string) <= verified[i-1]["number"].(string) {
			t.Fatalf("not in queue order: %v after %v", r["number"], verified[i-1]["number"])
		}
	}
	limited := decode[[]map[string]any](t, rd("", "requests", "list", "--limit", "5", "--json").ok(t))
	if len(limited) != 5 {
		t.Fatalf("--limit 5 gave %d", len(limited))
	}
	number := verified[0]["number"].(string)

	// Approve, then create; the record shows each step.
	rd("", "requests", "approve", number, "--as", "alice").ok(t)
	rec := decode[map[string]any](t, rd("", "requests", "show", number, "--json").ok(t))
	if rec["status"] != "approved" || rec["decided_by"] != "alice" {
		t.Fatalf("after approve: %v", rec)
	}
	rd("", "requests", "approve", number, "--as", "bob").fails(t, "is approved (last change: approve by alice")
	out = rd("", "requests", "create", number, "--as", "alice", "--template", "EU", "--role", "customer_admin").ok(t)
	if !strings.Contains(out, "created customer") {
		t.Fatalf("create: %q", out)
	}
	rec = decode[map[string]any](t, rd("", "requests", "show", number, "--json").ok(t))
	account, _ := rec["customer_account"].(string)
	if rec["status"] != "created" || account == "" {
		t.Fatalf("after create: %v", rec)
	}
	customers := decode[[]map[string]any](t, rd("", "customers", "list", "--limit", "0", "--json").ok(t))
	found := false
	for _, c := range customers {
		found = found || c["account"] == account
	}
	if !found {
		t.Fatalf("customers list lacks %s", account)
	}
	urs := decode[[]map[string]any](t, rd("", "user-requests", "list", "--json").ok(t))
	if len(urs) != 1 || urs[0]["request_number"] != number || urs[0]["status"] != "submitted" ||
		urs[0]["username"] != rec["username"] || urs[0]["number"] == "" {
		t.Fatalf("user requests: %v", urs)
	}
	rd("", "requests", "create", number, "--as", "alice").fails(t, "cannot create")

	// Reject another with a reason; the prospect's mail is queued.
	other := verified[1]["number"].(string)
	rd("", "requests", "reject", other, "--reason", "nope", "--as", "alice").fails(t, "unknown reason")
	rd("", "requests", "reject", other, "--reason", "incomplete", "--comment", "Add your tax id.", "--as", "alice").ok(t)
	mails := decode[[]map[string]any](t, rd("", "mail", "list", "--json").ok(t))
	if len(mails) == 0 || mails[len(mails)-1]["kind"] != "rejection" || mails[len(mails)-1]["status"] != "queued" {
		t.Fatalf("mail list (oldest first, the rejection last): %v", mails)
	}

	// Parameters: a good value is stored, a bad one refused with the reason.
	rd("", "params", "set", "link.activation_ttl", "72h").ok(t)
	rd("", "params", "set", "link.activation_ttl", "soon").fails(t, "duration")
	rd("", "params", "set", "no.such", "1").fails(t, "unknown parameter")
	params := decode[[]map[string]any](t, rd("", "params", "show", "--json").ok(t))
	for _, p := range params {
		if p["key"] == "link.activation_ttl" && p["value"] != "72h" {
			t.Fatalf("link.activation_ttl = %v", p["value"])
		}
	}

	// Approvers with a key from stdin.
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := ssh.NewPublicKey(pub)
	key := string(ssh.MarshalAuthorizedKey(sshPub))
	rd(key, "approvers", "add", "alice", "--key", "-").ok(t)
	rd(key, "approvers", "add", "bob", "--key", "-").fails(t, "registered already")
	rd("not a key", "approvers", "add", "carol", "--key", "-").fails(t, "not an SSH public key")
	rd("", "approvers", "add", "Bad Name", "--key", "-").fails(t, "lowercase")
	list := rd("", "approvers", "list").ok(t)
	if !strings.Contains(list, "alice") || !strings.Contains(list, ssh.FingerprintSHA256(sshPub)) || strings.Contains(list, "carol") {
		t.Fatalf("approvers list: %s", list)
	}

	if db != "" {
		// PostgreSQL is backed up and restored with its own tools.
		rd("", "backup", filepath.Join(t.TempDir(), "regdesk.db")).fails(t, "pg_dump")
		rd("", "restore", filepath.Join(t.TempDir(), "regdesk.db")).fails(t, "pg_restore")
		return
	}
	// Backup makes a copy the binary can read.
	copyDir := t.TempDir()
	rd("", "backup", filepath.Join(copyDir, "regdesk.db")).ok(t)
	rec2 := decode[map[string]any](t, regdesk(t, copyDir, "", "requests", "show", number, "--json").ok(t))
	if rec2["status"] != "created" {
		t.Fatalf("backup: %v", rec2)
	}
	rd("", "backup", filepath.Join(copyDir, "regdesk.db")).fails(t, "exists")

	out = rd("", "version").ok(t)
	if !strings.HasPrefix(out, "regdesk ") {
		t.Fatalf("version: %q", out)
	}
}

func TestCLI_Errors(t *testing.T) {
	t.Parallel()
	data := newData(t)
	regdesk(t, data, "", "seed", "--requests", "10").ok(t)
	before := regdesk(t, data, "", "requests", "list", "--json", "--limit", "0").ok(t)
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"frobnicate"}, "unknown command", 2},
		{[]string{"requests"}, "missing subcommand", 2},
		{[]string{"requests", "list", "--status", "pending"}, "unknown status", 2},
		{[]string{"requests", "list", "--limit", "-1"}, "--limit", 2},
		{[]string{"requests", "list", "--bogus"}, "flag provided but not defined", 2},
		{[]string{"requests", "show"}, "missing NUMBER", 2},
		{[]string{"requests", "show", "REG-999999"}, "not found", 1},
		{[]string{"requests", "approve", "REG-000001"}, "--as", 1},
		{[]string{"requests", "reject", "REG-000001", "--as", "a"}, "--reason", 2},
		{[]string{"requests", "create", "REG-000001", "--as", "a", "--existing", "C1", "--template", "EU"}, "--template", 2},
		{[]string{"user-requests", "provision", "UR-000404", "--as", "a"}, "not found", 1},
		{[]string{"seed", "--requests", "0"}, "--requests", 2},
		{[]string{"params", "set", "workflow.enabled"}, "missing VALUE", 2},
		{[]string{"tui", "--as", "alice"}, "tui: needs a terminal", 1},
		{[]string{"backup", ""}, "no file name given", 1},
		{[]string{"requests", "list", "--db", "mysql://db/regdesk"}, "want a PostgreSQL URL", 2},
		{[]string{"requests", "list", "--db", "regdesk.db"}, "want a PostgreSQL URL", 2},
	} {
		if storetest.Postgres() && c.args[0] == "backup" {
			continue // on PostgreSQL backup refuses first, pointing at pg_dump (TestCLI_EndToEnd)
		}
		r := regdesk(t, data, "", c.args...)
		r.fails(t, c.want)
		if r.code != c.code {
			t.Errorf("%v: exit %d, want %d", c.args, r.code, c.code)
		}
	}
	if after := regdesk(t, data, "", "requests", "list", "--json", "--limit", "0").ok(t); after != before {
		t.Fatal("a refused command changed the requests")
	}
	// The environment supplies flags: REGDESK_DATA.
	r := func() result {
		bin, _ := binary()
		cmd := exec.Command(bin, "requests", "list", "--limit", "1", "--json")
		cmd.Env = append(os.Environ(), "REGDESK_DATA="+data)
		if storetest.Postgres() {
			cmd.Env = append(cmd.Env, "REGDESK_DB="+dataDB(data))
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return result{stdout: string(out)}
	}()
	if got := decode[[]map[string]any](t, r.stdout); len(got) != 1 {
		t.Fatalf("REGDESK_DATA: %v", got)
	}
}

// A mistyped --data is an error, not an empty answer and a new directory;
// the setup commands (approvers add) still create the database.
func TestCLI_MissingDatabase(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "typo")
	for _, args := range [][]string{
		{"requests", "list", "--json"},
		{"requests", "show", "REG-000001", "--json"},
		{"requests", "approve", "REG-000001", "--as", "alice"},
		{"user-requests", "list", "--json"},
		{"customers", "list", "--json"},
		{"approvers", "list"},
		{"params", "show"},
		{"mail", "list", "--json"},
		{"maintenance", "run"},
		{"tui", "--as", "alice"},
	} {
		r := regdesk(t, data, "", args...)
		r.fails(t, "no database at "+dataDB(data))
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1", args, r.code)
		}
		if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v created %s", args, data)
		}
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	regdesk(t, data, string(ssh.MarshalAuthorizedKey(sp)), "approvers", "add", "alice", "--key", "-").ok(t)
	if got := regdesk(t, data, "", "requests", "list", "--json").ok(t); strings.TrimSpace(got) != "[]" {
		t.Fatalf("empty list is %q, want []", got)
	}
}

// TestCLI_BinaryExitStatus runs command lines through the built binary and
// in the test process (regdesk, which most tests use): the same output and
// the same exit status, 0, 1 for a refused command, 2 for a usage mistake.
func TestCLI_BinaryExitStatus(t *testing.T) {
	t.Parallel()
	data := newData(t)
	regdesk(t, data, "", "seed", "--requests", "5").ok(t)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"requests", "list", "--json", "--limit", "0"}, 0},
		{[]string{"requests", "show", "REG-999999"}, 1},
		{[]string{"requests", "approve", "REG-000001"}, 1},
		{[]string{"requests", "list", "--limit", "x"}, 2},
		{[]string{"requests", "frobnicate"}, 2},
	} {
		in := regdesk(t, data, "", c.args...)
		bin := regdeskBinary(t, data, "", c.args...)
		if bin.code != c.code || in.code != c.code {
			t.Errorf("%v: exit %d from the binary and %d in process, want %d (stderr %q)",
				c.args, bin.code, in.code, c.code, bin.stderr)
		}
		if bin.stdout != in.stdout || bin.stderr != in.stderr {
			t.Errorf("%v: the binary printed %q / %q, in process %q / %q",
				c.args, bin.stdout, bin.stderr, in.stdout, in.stderr)
		}
	}
}
