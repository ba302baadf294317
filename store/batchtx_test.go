package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

func TestDB_WithBatchedTx(t *testing.T) {
	ctx := context.Background()

	t.Run("each caller's writes commit or roll back alone", func(t *testing.T) {
		db := storetest.New(t)
		errBoom := errors.New("boom")
		const n = 16
		errs := make([]error, n)
		panics := make([]any, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				defer func() { panics[i] = recover() }()
				errs[i] = db.WithBatchedTx(ctx, func(tx *store.Tx) error {
					if err := tx.SetParam(ctx, fmt.Sprintf("batch.k%d", i), "v", "test"); err != nil {
						return err
					}
					switch i % 4 {
					case 1:
						return errBoom
					case 2: // a statement the database refuses, after a write
						_, err := tx.SQLTx().ExecContext(ctx, `INSERT INTO parameters (key) VALUES (NULL)`)
						if err == nil {
							return errors.New("a NULL key was accepted")
						}
						return err
					case 3:
						panic(fmt.Sprintf("panic %d", i))
					}
					return nil
				})
			})
		}
		wg.Wait()
		params, err := db.Read().Params(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			_, kept := params[fmt.Sprintf("batch.k%d", i)]
			switch i % 4 {
			case 0:
				if errs[i] != nil || panics[i] != nil || !kept {
					t.Errorf("caller %d: err %v, panic %v, write kept %v; want nil, nil, true", i, errs[i], panics[i], kept)
				}
			case 1:
				if !errors.Is(errs[i], errBoom) || kept {
					t.Errorf("caller %d: err %v, write kept %v; want boom and nothing kept", i, errs[i], kept)
				}
			case 2:
				if errs[i] == nil || !strings.Contains(strings.ToLower(errs[i].Error()), "null") || kept {
					t.Errorf("caller %d: err %v, write kept %v; want the NOT NULL violation and nothing kept", i, errs[i], kept)
				}
			case 3:
				if panics[i] != fmt.Sprintf("panic %d", i) || kept {
					t.Errorf("caller %d: panic %v, write kept %v; want its own panic raised again and nothing kept", i, panics[i], kept)
				}
			}
		}
	})

	t.Run("a caller whose context is done runs nothing", func(t *testing.T) {
		db := storetest.New(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		ran := false
		err := db.WithBatchedTx(cctx, func(tx *store.Tx) error {
			ran = true
			return nil
		})
		if !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("err %v, ran %v; want context.Canceled and not run", err, ran)
		}
	})
}
