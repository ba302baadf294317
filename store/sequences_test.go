package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

func TestQueries_SetNextValue(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		old, err := tx.SetNextValue(ctx, store.SeqCustomer, 40)
		if err != nil || old != 1 {
			t.Errorf("set 40: old %d, %v", old, err)
		}
		for _, next := range []int64{40, 39, 0} {
			if _, err := tx.SetNextValue(ctx, store.SeqCustomer, next); !errors.Is(err, store.ErrConflict) {
				t.Errorf("set %d after 40: %v, want ErrConflict", next, err)
			}
		}
		if v, err := tx.NextValue(ctx, store.SeqCustomer); err != nil || v != 40 {
			t.Errorf("next value %d %v, want 40", v, err)
		}
		if _, err := tx.SetNextValue(ctx, "invoice", 5); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown sequence: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Customers list in creation order even when a format change made the
// account numbers sort otherwise.
func TestQueries_Customers_creationOrder(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	accounts := []string{"C00008", "C00009", "C000010", "C000011"}
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		for _, a := range accounts {
			c := store.Customer{Account: a, Name: "Firm " + a, Street: "1 Road", City: "Leeds", PostalCode: "LS1 1AA",
				Country: "GB", Template: "STANDARD", CustomerGroup: "DOM", Currency: "GBP", Language: "en-GB",
				PaymentTerms: "Net 30", CreatedBy: "test"}
			if err := tx.InsertCustomer(ctx, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var after int64
	for {
		page, err := db.Read().Customers(ctx, store.ListCustomers{AfterID: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			got = append(got, c.Account)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(got) != len(accounts) {
		t.Fatalf("paged %v, want %v", got, accounts)
	}
	for i := range accounts {
		if got[i] != accounts[i] {
			t.Fatalf("order %v, want %v", got, accounts)
		}
	}
}
