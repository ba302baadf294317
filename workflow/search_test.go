package workflow

import (
	"context"
	"slices"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// TestRequests_SearchByKey: what an approver pastes (a registration number,
// a customer account, a user-request number, an email address) finds its
// requests through the key indexes, exactly and by prefix, combined with
// words; keys nobody holds are searched as words.
func TestRequests_SearchByKey(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	// REG-000001..000003 created: C00001, C00002, and REG-000003 joins C00002.
	first := f.request(domain.Created)
	second := f.request(domain.Created)
	in := f.input()
	in.CompanyName = "Acme2 Traders"
	res, err := f.svc.SignUp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, Action{Number: res.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: res.Number, Actor: "alice"},
		Existing: second.CustomerAccount}); err != nil {
		t.Fatal(err)
	}
	f.request(domain.Verified) // REG-000004
	f.request(domain.Rejected) // REG-000005
	if first.CustomerAccount != "C00001" || second.CustomerAccount != "C00002" {
		t.Fatalf("accounts %q %q", first.CustomerAccount, second.CustomerAccount)
	}
	for _, c := range []struct {
		name, search string
		status       domain.RequestStatus
		want         []string
	}{
		{"number", "REG-000002", "", []string{"REG-000002"}},
		{"number in lower case", "reg-000004", "", []string{"REG-000004"}},
		{"number with spaces around", "  REG-000004 ", "", []string{"REG-000004"}},
		{"number prefix", "REG-00000", "", []string{"REG-000001", "REG-000002", "REG-000003", "REG-000004", "REG-000005"}},
		{"number prefix and status", "REG-00000", domain.Verified, []string{"REG-000004"}},
		{"number of another status", "REG-000004", domain.Created, nil},
		{"customer account", "C00002", "", []string{"REG-000002", "REG-000003"}},
		{"customer account prefix", "c0000", "", []string{"REG-000001", "REG-000002", "REG-000003"}},
		{"user-request number", "UR-000003", "", []string{"REG-000003"}},
		{"email", "ada4@contoso4.test", "", []string{"REG-000004"}},
		{"email in capitals", "ADA4@Contoso4.Test", "", []string{"REG-000004"}},
		{"email prefix", "ada5@", "", []string{"REG-000005"}},
		{"email prefix with the domain begun", "ada5@conto", "", []string{"REG-000005"}},
		{"number and word", "REG-00000 acme2", "", []string{"REG-000003"}},
		{"account and word", "C00002 acme2", "", []string{"REG-000003"}},
		{"account and word matching nothing", "C00002 zzzz", "", nil},
		{"two keys", "C00002 REG-000003", "", []string{"REG-000003"}},
		{"key nobody holds is a word", "acme2", "", []string{"REG-000003"}},
		{"unknown key", "REG-9", "", nil},
		{"address nobody has", "nobody@nowhere.test", "", nil},
		{"percent is literal", "%da1@contoso1.test", "", nil},
		{"underscore is literal", "_da1@contoso1.test", "", nil},
		{"only punctuation", "-- %", "", nil},
		{"quotes", `REG-000001" OR 1=1 --`, "", nil},
		// Words within a status: only the ids between that status's first
		// and last request are walked; the result is the same.
		{"word and status", "ada", domain.Verified, []string{"REG-000004"}},
		{"word and status of several", "ada", domain.Created, []string{"REG-000001", "REG-000002", "REG-000003"}},
		{"word and a status nobody is in", "ada", domain.Requested, nil},
		{"word, key and status", "C0000 acme2", domain.Created, []string{"REG-000003"}},
		{"word, key and another status", "REG-000004 ada", domain.Created, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, err := f.db.Read().Requests(ctx, store.ListRequests{Search: c.search, Status: c.status})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.Number)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("search %q = %v, want %v", c.search, got, c.want)
			}
		})
	}
	// Paging by key works the same on a key search.
	all, err := f.db.Read().Requests(ctx, store.ListRequests{Search: "REG-00000", Limit: 2})
	if err != nil || len(all) != 2 {
		t.Fatalf("first page = %v, %v", all, err)
	}
	c := store.CursorOf(all[1])
	next, err := f.db.Read().Requests(ctx, store.ListRequests{Search: "REG-00000", After: &c, Limit: 2})
	if err != nil || len(next) != 2 || next[0].Number != "REG-000003" {
		t.Fatalf("next page = %v, %v", next, err)
	}
	// And on words within a status, both ways.
	word, err := f.db.Read().Requests(ctx, store.ListRequests{Search: "ada", Status: domain.Created, Limit: 1})
	if err != nil || len(word) != 1 || word[0].Number != "REG-000001" {
		t.Fatalf("first page of words = %v, %v", word, err)
	}
	c = store.CursorOf(word[0])
	next, err = f.db.Read().Requests(ctx, store.ListRequests{Search: "ada", Status: domain.Created, After: &c, Limit: 1})
	if err != nil || len(next) != 1 || next[0].Number != "REG-000002" {
		t.Fatalf("next page of words = %v, %v", next, err)
	}
	c = store.CursorOf(next[0])
	prev, err := f.db.Read().Requests(ctx, store.ListRequests{Search: "ada", Status: domain.Created, Before: &c, Limit: 1})
	if err != nil || len(prev) != 1 || prev[0].Number != "REG-000001" {
		t.Fatalf("previous page of words = %v, %v", prev, err)
	}
}
