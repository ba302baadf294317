package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

func TestQueries_WebhookDeliveries(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	ep := store.WebhookEndpoint{URL: "https://erp.example.com/h", Events: []string{"customer.created", "user.provisioned"},
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedBy: "operator"}
	var d store.Delivery
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertWebhookEndpoint(ctx, &ep); err != nil {
			return err
		}
		ev := store.WebhookEvent{EventID: "msg_1", Type: "customer.created", Ref: "REG-000001", Payload: []byte(`{"type":"customer.created"}`)}
		if err := tx.InsertWebhookEvent(ctx, &ev); err != nil {
			return err
		}
		d = store.Delivery{EventID: ev.ID, EndpointID: ep.ID}
		if err := tx.InsertDelivery(ctx, &d); err != nil {
			return err
		}
		// One delivery per event and endpoint.
		if err := tx.InsertDelivery(ctx, &store.Delivery{EventID: ev.ID, EndpointID: ep.ID}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second delivery of one event: %v", err)
		}
		return errors.New("roll back the failed statement's transaction")
	})
	if err == nil {
		t.Fatal("expected the rollback")
	}
	// Again, committed this time.
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertWebhookEndpoint(ctx, &ep); err != nil {
			return err
		}
		ev := store.WebhookEvent{EventID: "msg_1", Type: "customer.created", Ref: "REG-000001", Payload: []byte(`{"a":1}`)}
		if err := tx.InsertWebhookEvent(ctx, &ev); err != nil {
			return err
		}
		d = store.Delivery{EventID: ev.ID, EndpointID: ep.ID}
		return tx.InsertDelivery(ctx, &d)
	})
	if err != nil {
		t.Fatal(err)
	}
	eps, err := db.Read().WebhookEndpoints(ctx)
	if err != nil || len(eps) != 1 || !eps[0].Subscribes("user.provisioned") || eps[0].Subscribes("request.verified") {
		t.Fatalf("endpoints %+v %v", eps, err)
	}
	attempt := func(a store.DeliveryAttempt) error {
		return db.WithTx(ctx, func(tx *store.Tx) error { return tx.RecordDeliveryAttempt(ctx, a) })
	}
	if err := attempt(store.DeliveryAttempt{ID: d.ID, ResponseCode: 503, Error: "answered 503"}); err != nil {
		t.Fatal(err)
	}
	if err := attempt(store.DeliveryAttempt{ID: d.ID, ResponseCode: 503, Error: "answered 503", Final: true}); err != nil {
		t.Fatal(err)
	}
	if err := attempt(store.DeliveryAttempt{ID: d.ID, Delivered: true}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an attempt on a failed delivery: %v", err)
	}
	got, err := db.Read().DeliveryByID(ctx, d.ID)
	if err != nil || got.Status != store.DeliveryFailed || got.Attempts != 2 || got.ResponseCode != 503 ||
		got.URL != ep.URL || got.Event.EventID != "msg_1" || string(got.Event.Payload) != `{"a":1}` {
		t.Fatalf("delivery %+v %v", got, err)
	}
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.RequeueDelivery(ctx, d.ID) }); err != nil {
		t.Fatal(err)
	}
	ids, err := db.Read().QueuedDeliveryIDs(ctx, 0, 10)
	if err != nil || len(ids) != 1 || ids[0] != d.ID {
		t.Fatalf("queued %v %v", ids, err)
	}
	if err := attempt(store.DeliveryAttempt{ID: d.ID, Delivered: true, ResponseCode: 204}); err != nil {
		t.Fatal(err)
	}
	counts, err := db.Read().DeliveryCounts(ctx)
	if err != nil || counts[store.DeliveryDelivered] != 1 || counts[store.DeliveryQueued] != 0 {
		t.Fatalf("counts %v %v", counts, err)
	}
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.DeleteWebhookEndpoint(ctx, ep.ID) }); err != nil {
		t.Fatal(err)
	}
	if ds, err := db.Read().Deliveries(ctx, store.ListDeliveries{}); err != nil || len(ds) != 0 {
		t.Fatalf("deliveries of a removed endpoint: %v %v", ds, err)
	}
}

func TestQueries_APITokens(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock()
	db := storetest.NewWithClock(t, clock.Now)
	add := func(name string, hash byte) error {
		return db.WithTx(ctx, func(tx *store.Tx) error {
			return tx.InsertAPIToken(ctx, &store.APIToken{Name: name, Hash: []byte{hash, 1, 2}, Scope: store.ScopeRead})
		})
	}
	if err := add("erp", 1); err != nil {
		t.Fatal(err)
	}
	if err := add("erp", 2); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second live token named erp: %v", err)
	}
	if _, err := db.Read().LiveAPITokenByHash(ctx, []byte{1, 1, 2}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	var revoked store.APIToken
	if err := db.WithTx(ctx, func(tx *store.Tx) (err error) { revoked, err = tx.RevokeAPIToken(ctx, "erp"); return err }); err != nil {
		t.Fatal(err)
	}
	if revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(clock.Now()) {
		t.Fatalf("revoked %+v", revoked)
	}
	if _, err := db.Read().LiveAPITokenByHash(ctx, []byte{1, 1, 2}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a revoked token was found: %v", err)
	}
	if err := add("erp", 2); err != nil {
		t.Fatalf("the name of a revoked token: %v", err)
	}
	ts, err := db.Read().APITokens(ctx)
	if err != nil || len(ts) != 2 || ts[0].RevokedAt != nil || ts[1].RevokedAt == nil {
		t.Fatalf("tokens %+v %v", ts, err)
	}
}
