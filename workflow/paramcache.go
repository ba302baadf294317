package workflow

import (
	"context"
	"sync/atomic"

	"github.com/regdesk/regdesk/store"
)

// ParamCache keeps the parameters of one version in memory. Every use still
// asks the store for the version (one row), so a change made by any process
// — `regdesk params set`, the TUI over SSH, another serve — is seen on the
// next use; only when the version moved are the parameters read again.
// Safe for concurrent use; the Params it returns are shared and read-only.
type ParamCache struct {
	cur atomic.Pointer[versionedParams]
}

type versionedParams struct {
	version int64
	p       Params
}

// Get returns the current parameters.
func (c *ParamCache) Get(ctx context.Context, q *store.Queries) (Params, error) {
	v, err := q.ParamVersion(ctx)
	if err != nil {
		return Params{}, err
	}
	return c.At(ctx, q, v)
}

// At returns the parameters of version v (read just before by the caller),
// loading them when the cache holds another version. Parameters loaded a
// moment after v was read may be newer than v; they are kept as v, so the
// next use, seeing the newer version, reads them again: never stale, at
// worst read twice.
func (c *ParamCache) At(ctx context.Context, q *store.Queries, v int64) (Params, error) {
	if cur := c.cur.Load(); cur != nil && cur.version == v {
		return cur.p, nil
	}
	p, err := LoadParams(ctx, q)
	if err != nil {
		return Params{}, err
	}
	c.cur.Store(&versionedParams{version: v, p: p})
	return p, nil
}
