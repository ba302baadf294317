package jobs

import (
	"context"
	"log/slog"
)

// quieter drops records below min: River reports routine bookkeeping at
// Info every few seconds, which would drown serve's own log.
type quieter struct {
	slog.Handler
	min slog.Level
}

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= q.min && q.Handler.Enabled(ctx, l)
}

func (q quieter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quieter{q.Handler.WithAttrs(attrs), q.min}
}

func (q quieter) WithGroup(name string) slog.Handler {
	return quieter{q.Handler.WithGroup(name), q.min}
}

func riverLogger(log *slog.Logger) *slog.Logger {
	return slog.New(quieter{log.Handler(), slog.LevelWarn})
}
