package sample_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/regdesk/regdesk/workflow/sample"
)

// The benchmark cache: packages asking at once get one file built once; it
// holds exactly n requests; a file that does not is refused, not timed.
func TestCachedDB(t *testing.T) {
	ctx := context.Background()
	t.Setenv("REGDESK_BENCH_CACHE", t.TempDir())
	var wg sync.WaitGroup
	paths := make([]string, 3)
	errs := make([]error, 3)
	for i := range paths {
		wg.Go(func() { paths[i], errs[i] = sample.CachedDB(ctx, 60) })
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if paths[i] != paths[0] {
			t.Fatalf("concurrent callers got %v", paths)
		}
	}
	info, err := os.Stat(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	again, err := sample.CachedDB(ctx, 60)
	if err != nil || again != paths[0] {
		t.Fatalf("second call: %s %v", again, err)
	}
	if info2, err := os.Stat(again); err != nil || !info2.ModTime().Equal(info.ModTime()) {
		t.Fatalf("the cached file was rebuilt: %v", err)
	}
	other, err := sample.CachedDB(ctx, 61)
	if err != nil || other == paths[0] {
		t.Fatalf("61 requests share the 60-request file: %s %v", other, err)
	}

	// A file with other contents under the name is refused.
	data, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(paths[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sample.CachedDB(ctx, 60); err == nil || !strings.Contains(err.Error(), "holds 61 requests, want 60") {
		t.Fatalf("a file with 61 requests named for 60: %v", err)
	}
}
