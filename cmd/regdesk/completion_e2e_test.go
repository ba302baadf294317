package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow/domain"
)

// TestCompletion_BashInTmux loads `regdesk completion bash` into a real bash
// in tmux, types `regdesk requests approve ` and presses TAB twice: the
// verified requests are offered, the unverified ones are not.
func TestCompletion_BashInTmux(t *testing.T) {
	t.Parallel()
	needTmux(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	// cobra's bash script uses the bash-completion package, as most
	// distributions' interactive bash loads it.
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash-completion is not installed")
		}
		t.Skip("bash-completion is not installed; skipping the bash completion test (apt-get install bash-completion)")
	}
	if testing.Short() {
		t.Skip("builds the binary; not in -short mode")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := dataAt(t, filepath.Join(dir, "data"))
	if _, err := inproc(t, "seed", "--requests", "20", "--data", data); err != nil {
		t.Fatal(err)
	}
	number := signUpVerified(t, dataDB(data), "Tab Complete Ltd", "tab@complete.test")
	others := newest(t, data, domain.Requested, domain.Approved, domain.Created, domain.Rejected, domain.Expired)
	if len(others) == 0 {
		t.Fatal("the seed made only verified requests")
	}

	db := ""
	if storetest.Postgres() {
		db = " REGDESK_DB=" + dataDB(data)
	}
	shell := "env PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH") + " REGDESK_DATA=" + data + db +
		" PS1='$ ' " + bash + " --norc --noprofile -i"
	term := startTmux(t, 160, 50, shell)
	keys, waitFor := term.keys, func(text string) string { t.Helper(); return term.waitFor(text) }

	keys("-l", "source "+bashCompletion+" && source <(regdesk completion bash) && echo loaded")
	keys("Enter")
	waitFor("\nloaded")
	keys("-l", "regdesk requests approve ")
	keys("Tab", "Tab")
	s := waitFor(number)
	for _, n := range others {
		if strings.Contains(s, n) {
			t.Fatalf("TAB offered %s, which is not verified:\n%s", n, s)
		}
	}
}
