package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/jobs"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServe_BadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--http", "nowhere"},
		{"--ssh", "2222"},
		{"--metrics", "localhost"},
		{"--base-url", "portal.example.com"},
		{"--base-url", "ftp://portal.example.com"},
		{"--smtp", "mail.example.com:25"},
		{"--smtp", "smtp://mail.example.com:70000"},
		{"--mail-from", "not an address"},
		{"--trusted-origin", "www.example.com"},
		{"--trusted-origin", "https://www.example.com/signup"},
		{"--trusted-origin", "https://ok.example.com, ftp://x"},
		{"unexpected"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			var stderr bytes.Buffer
			err := run(context.Background(), append([]string{"serve", "--data", data}, args...), nil, io.Discard, &stderr)
			if err == nil || exitCode(err) != 2 {
				t.Fatalf("err = %v (exit %d), want a usage error", err, exitCode(err))
			}
			if _, serr := os.Stat(data); !errors.Is(serr, os.ErrNotExist) {
				t.Fatalf("a refused command created %s", data)
			}
		})
	}
}

func TestServe_HealthzAndShutdown(t *testing.T) {
	t.Parallel()
	data := newData(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, withDB(data, []string{"serve", "--data", data, "--http", "127.0.0.1:0", "--ssh", "127.0.0.1:0"}), nil, &stdout, &stderr)
	}()
	var url string
	waitFor(t, 20*time.Second, "the serving line", func() bool {
		out := stdout.String()
		line, ok := strings.CutPrefix(out, "regdesk serving ")
		line, _, _ = strings.Cut(line, "\n")
		url = strings.TrimSpace(line)
		return ok && strings.Contains(out, "approvers: ssh -p ")
	})
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	// A second serve on the same data directory is refused.
	err = run(context.Background(), withDB(data, []string{"serve", "--data", data, "--http", "127.0.0.1:0"}), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "another regdesk serve") {
		t.Fatalf("second serve: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), `"msg":"regdesk stopped"`) {
		t.Fatalf("log: %s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(data, "mail")); err != nil {
		t.Fatalf("mail directory: %v", err)
	}
}

// binary builds regdesk once per test run, with the race detector when
// the tests run with it.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "regdesk-bin-")
	if err != nil {
		return "", err
	}
	binDir.Store(&dir)
	bin := filepath.Join(dir, "regdesk")
	args := []string{"build", "-o", bin}
	if raceBuild {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// binDir is where binary builds regdesk, once it has: TestMain removes it.
var binDir atomic.Pointer[string]

func TestMain(m *testing.M) {
	// A race-built binary sleeps a second before exiting, to catch races
	// at exit (the race detector's atexit_sleep_ms); the tests run it
	// hundreds of times, one after another within a test, so that second
	// would be most of the suite's time. Every process a test starts
	// inherits this environment, those started through tmux included.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	code := m.Run()
	if dir := binDir.Load(); dir != nil {
		os.RemoveAll(*dir)
	}
	os.Exit(code)
}

// proc is a running `regdesk serve`.
type proc struct {
	cmd    *exec.Cmd
	url    string
	ssh    chan string // the approvers' SSH address, once serve prints it
	stderr *syncBuffer
}

func startServe(t *testing.T, data string, env []string, args ...string) *proc {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, withDB(data, append([]string{"serve", "--data", data, "--http", "127.0.0.1:0", "--ssh", "127.0.0.1:0"}, args...))...)
	cmd.Env = append(os.Environ(), env...)
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, ssh: make(chan string, 1)}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", p.stderr.String())
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "regdesk serving "); ok {
				lines <- u
			}
			var port, host string
			if n, _ := fmt.Sscanf(sc.Text(), "approvers: ssh -p %s %s", &port, &host); n == 2 {
				p.ssh <- net.JoinHostPort(host, port)
			}
		}
	}()
	select {
	case p.url = <-lines:
	case <-time.After(2 * time.Minute): // a bound for a hang: the binary may be race-built on a busy machine
		t.Fatalf("serve did not start:\n%s", p.stderr.String())
	}
	return p
}

func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v", err)
	}
}

// desk is the test's own handle on the database, acting like the CLI does
// (insert-only job client), for the steps that have no command (sign-up).
type desk struct {
	db  *store.DB
	svc *workflow.Service
}

func openDesk(t *testing.T, data string) *desk {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dataDB(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := jobs.NewInserter(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &desk{db: db, svc: workflow.New(workflow.Config{DB: db, Jobs: q})}
}

// approved signs up, activates and approves prospect i.
func (d *desk) approved(t *testing.T, i int) string {
	t.Helper()
	ctx := context.Background()
	res, err := d.svc.SignUp(ctx, workflow.SignupInput{CompanyName: fmt.Sprintf("Company %d GmbH", i),
		Street: "Hauptstr. 1", City: "Berlin", PostalCode: "10115", Country: "DE", FirstName: "Grace",
		LastName: fmt.Sprintf("Hopper%d", i), Email: fmt.Sprintf("grace%d@example.com", i), Phone: "+49 30 1234",
		Username: fmt.Sprintf("grace%d", i), PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Approve(ctx, workflow.Action{Number: res.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	return res.Number
}

// cli runs a regdesk command in this process, as an operator would in a shell.
func cli(t *testing.T, data string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), withDB(data, append(args, "--data", data)), nil, &out, &errb); err != nil {
		t.Fatalf("regdesk %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}
