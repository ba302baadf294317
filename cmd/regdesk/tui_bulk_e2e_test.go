package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/workflow/domain"
)

// TestTUI_BulkApprove drives `regdesk tui` in tmux: mark three requests
// with space, approve them with one confirmation, then check each with
// `regdesk requests show --json`.
func TestTUI_BulkApprove(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed; CI needs it (apt-get install tmux)")
		}
		t.Skip("tmux is not installed; skipping the end-to-end bulk test (apt-get install tmux)")
	}
	if testing.Short() {
		t.Skip("builds the binary; not in -short mode")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "regdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := dataAt(t, filepath.Join(dir, "data"))
	cli := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, withDB(data, append(args, "--data", data))...)
		cmd.Env = append(os.Environ(), "REGDESK_DATA=")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("regdesk %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	cli("seed", "--requests", "20")
	var numbers []string
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		numbers = append(numbers, signUpVerifiedAs(t, dataDB(data),
			"Bulkwise "+strings.ToUpper(name[:1])+name[1:]+" Ltd", name+"@bulkwise-"+name+".test", "bulk."+name))
	}

	sock := "regdesk-bulk-" + filepath.Base(dir)
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", "bulk", "-x", "100", "-y", "30", strings.Join(withDB(data, []string{bin, "tui", "--as", "erin", "--data", data}), " "))
	t.Cleanup(func() { exec.Command("tmux", "-L", sock, "kill-server").Run() })
	waitFor := func(texts ...string) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			s := tmux("capture-pane", "-p", "-t", "bulk")
			ok := true
			for _, x := range texts {
				ok = ok && strings.Contains(s, x)
			}
			if ok {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q:\n%s", texts, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	keys := func(k ...string) { tmux(append([]string{"send-keys", "-t", "bulk"}, k...)...) }

	waitFor("▸ Verified", "NUMBER")
	keys("/")
	keys("-l", "bulkwise")
	keys("Enter")
	waitFor("esc clears", numbers[0], numbers[1], numbers[2])
	keys("Space", "Space", "Space")
	waitFor("• 3 marked")
	keys("a")
	waitFor("Approve 3 marked requests?", numbers[0]+" · Bulkwise Alpha Ltd", numbers[2]+" · Bulkwise Charlie Ltd")
	keys("y")
	waitFor("✓ Approved 3 requests")
	keys("q")

	for _, n := range numbers {
		var got struct {
			Status    string `json:"status"`
			DecidedBy string `json:"decided_by"`
		}
		if err := json.Unmarshal(cli("requests", "show", n, "--json"), &got); err != nil {
			t.Fatal(err)
		}
		if got.Status != string(domain.Approved) || got.DecidedBy != "erin" {
			t.Fatalf("%s after the bulk approve = %+v", n, got)
		}
	}
}
