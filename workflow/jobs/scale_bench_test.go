package jobs_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/jobs"
)

// BenchmarkScale measures sign-ups/s and approvals/s through the workflow
// with one and with two processes' worth of store (each its own pools and
// job inserter, as two serve processes have) on SQLite and on PostgreSQL.
// The password is hashed before SignUp (the portal does it), so this is the
// rest of the stack; 8 callers per process.
func BenchmarkScale(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		for _, procs := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%dproc/signup", kind, procs), func(b *testing.B) {
				svcs := scaleServices(b, kind, procs)
				var i atomic.Int64
				b.ResetTimer()
				scaleRun(b, svcs, func(svc *workflow.Service) error {
					_, err := svc.SignUp(context.Background(), scaleSignup(int(i.Add(1))))
					return err
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signups/s")
			})
			b.Run(fmt.Sprintf("%s/%dproc/approve", kind, procs), func(b *testing.B) {
				svcs := scaleServices(b, kind, procs)
				ctx := context.Background()
				numbers := make(chan string, b.N)
				for i := range b.N {
					res, err := svcs[0].SignUp(ctx, scaleSignup(i))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := svcs[0].Activate(ctx, res.Token); err != nil {
						b.Fatal(err)
					}
					numbers <- res.Number
				}
				close(numbers)
				b.ResetTimer()
				scaleRun(b, svcs, func(svc *workflow.Service) error {
					_, err := svc.Approve(ctx, workflow.Action{Number: <-numbers, Actor: "alice"})
					return err
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "approvals/s")
			})
		}
	}
}

// scaleServices opens one database as procs processes would.
func scaleServices(b *testing.B, kind string, procs int) []*workflow.Service {
	b.Helper()
	ctx := context.Background()
	target := filepath.Join(b.TempDir(), store.DBFile)
	if kind == "postgres" {
		target = storetest.PostgresURL(b)
	}
	var svcs []*workflow.Service
	for range procs {
		db, err := store.Open(ctx, target, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		q, err := jobs.NewInserter(ctx, db, nil)
		if err != nil {
			b.Fatal(err)
		}
		svcs = append(svcs, workflow.New(workflow.Config{DB: db, Jobs: q}))
	}
	// No sign-up limit gets in the way of the load.
	err := svcs[0].SetParam(ctx, workflow.ParamMaxUnverified, "10000000", "bench")
	if err != nil {
		b.Fatal(err)
	}
	return svcs
}

// scaleRun calls op b.N times from 8 goroutines per service.
func scaleRun(b *testing.B, svcs []*workflow.Service, op func(*workflow.Service) error) {
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	for _, svc := range svcs {
		for range 8 {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if err := op(svc); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}

func scaleSignup(i int) workflow.SignupInput {
	return workflow.SignupInput{CompanyName: fmt.Sprintf("Scale %d Ltd", i), Street: "1 Road",
		City: "Leeds", PostalCode: "LS1", Country: "GB", FirstName: "Sam", LastName: fmt.Sprintf("Scale%d", i),
		Email: fmt.Sprintf("sam%d@scale.example", i), Phone: "+44 113 000", Username: fmt.Sprintf("sam%d", i),
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}
}
