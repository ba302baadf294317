package workflow

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

// TestParamCache_seesChangesFromAnotherProcess: two opened stores on one
// file stand for two processes; a parameter set through one is what the
// other's cache returns on its next read, and an unchanged version is
// answered from memory.
func TestParamCache_seesChangesFromAnotherProcess(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	other, err := store.Open(ctx, db.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	here, there := New(Config{DB: db}), New(Config{DB: other})

	p, err := here.Params(ctx, db.Read())
	if err != nil || p.Duration(ParamActivationTTL) != 48*time.Hour {
		t.Fatalf("first read: %v, %v", p.Duration(ParamActivationTTL), err)
	}
	again, _ := here.Params(ctx, db.Read())
	if reflect.ValueOf(again.values).UnsafePointer() != reflect.ValueOf(p.values).UnsafePointer() {
		t.Fatal("an unchanged version read the parameters again")
	}
	v1, _ := db.Read().ParamVersion(ctx)
	if err := there.SetParam(ctx, ParamActivationTTL, "72h", "op"); err != nil {
		t.Fatal(err)
	}
	v2, _ := db.Read().ParamVersion(ctx)
	if v2 == v1 {
		t.Fatalf("version stayed %d after a change", v1)
	}
	p, err = here.Params(ctx, db.Read())
	if err != nil || p.Duration(ParamActivationTTL) != 72*time.Hour {
		t.Fatalf("after a change elsewhere: %v, %v", p.Duration(ParamActivationTTL), err)
	}
	// A write straight to the table (a restore, a hand edit) moves it too.
	if _, err := other.WriteDB().ExecContext(ctx, `DELETE FROM parameters WHERE key = '`+ParamActivationTTL+`'`); err != nil {
		t.Fatal(err)
	}
	p, err = here.Params(ctx, db.Read())
	if err != nil || p.Duration(ParamActivationTTL) != 48*time.Hour {
		t.Fatalf("after a delete elsewhere: %v, %v", p.Duration(ParamActivationTTL), err)
	}
	// Inside a transaction, the version and the values are read together.
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		p, err := here.Params(ctx, &tx.Queries)
		if err == nil && p.Duration(ParamActivationTTL) != 48*time.Hour {
			t.Errorf("in a transaction: %v", p.Duration(ParamActivationTTL))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
