package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/workflow/domain"
)

// TestTUI_BulkApprove drives `regdesk tui` in tmux: mark three requests
// with space, approve them with one confirmation, then check each with
// `regdesk requests show --json`.
func TestTUI_BulkApprove(t *testing.T) {
	t.Parallel()
	needTmux(t)
	if testing.Short() {
		t.Skip("builds the binary; not in -short mode")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	data := newData(t)
	cli := func(args ...string) []byte { t.Helper(); return []byte(regdesk(t, data, "", args...).ok(t)) }
	cli("seed", "--requests", "20")
	var numbers []string
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		numbers = append(numbers, signUpVerifiedAs(t, dataDB(data),
			"Bulkwise "+strings.ToUpper(name[:1])+name[1:]+" Ltd", name+"@bulkwise-"+name+".test", "bulk."+name))
	}

	term := startTmux(t, 100, 30, strings.Join(withDB(data, []string{bin, "tui", "--as", "erin", "--data", data}), " "))
	keys, waitFor := term.keys, term.waitFor

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
