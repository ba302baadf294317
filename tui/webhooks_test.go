package tui

import (
	"context"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

func TestWebhooks_RetryAFailedDelivery(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.svc.AddWebhook(ctx, workflow.WebhookInput{URL: "https://erp.example.com/hooks",
		Events: []string{workflow.HookRequestVerified}, Actor: "operator"}); err != nil {
		t.Fatal(err)
	}
	r := f.signUp("Adatum GmbH", "Ada", "ada@adatum.test", true)
	ds, err := f.db.Read().Deliveries(ctx, store.ListDeliveries{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries = %v, %v", ds, err)
	}
	err = f.db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.RecordDeliveryAttempt(ctx, store.DeliveryAttempt{ID: ds[0].ID, Final: true,
			ResponseCode: 503, Error: "answered 503: \x1b[2Jmaintenance"})
	})
	if err != nil {
		t.Fatal(err)
	}
	a := f.app(100, 30)
	press(t, a, "7")
	mustContain(t, a, "▸ Failed 1", "request.verified", r.Number, "erp.example.com", "503",
		"failed after 1 attempts", "t retry")
	if got := shown(a); containsEscape(got) {
		t.Fatalf("the receiver's answer reached the terminal raw:\n%q", got)
	}
	press(t, a, "t")
	mustContain(t, a, "Retry this delivery?", "same webhook-id")
	press(t, a, "y")
	d, err := f.db.Read().DeliveryByID(ctx, ds[0].ID)
	if err != nil || d.Status != store.DeliveryQueued {
		t.Fatalf("delivery = %s, %v", d.Status, err)
	}
	mustContain(t, a, "queued again")
	trail, _ := f.db.Read().AuditTrail(ctx, store.EntityWebhook, "1")
	if len(trail) == 0 || trail[len(trail)-1].Action != "retry" || trail[len(trail)-1].Actor != "alice" {
		t.Fatalf("audit = %+v", trail)
	}
	press(t, a, "shift+tab", "t") // All: it is queued now, nothing to retry
	mustContain(t, a, "Only a failed delivery can be retried")
}

func containsEscape(s string) bool {
	for _, r := range s {
		if r == 0x1b {
			return true
		}
	}
	return false
}
