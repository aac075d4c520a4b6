package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/authapi/authapi/internal/store"
)

// maintenanceEvery is how often the server deletes rows nobody needs any more.
const maintenanceEvery = 10 * time.Minute

// keepEnded is how long ended sessions and old login failures are kept: long
// enough to look into an incident, short enough that tables stay small.
const keepEnded = 7 * 24 * time.Hour

// maintain prunes ended sessions and stale login failures until ctx ends. Every
// instance may run it: the deletes are idempotent.
func maintain(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(maintenanceEvery)
	defer t.Stop()
	for {
		prune(ctx, db, log, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// prune runs one maintenance pass; failures are logged and retried next time.
func prune(ctx context.Context, db *store.DB, log *slog.Logger, now time.Time) {
	sessions, err := db.PruneSessions(ctx, now.Add(-keepEnded))
	if err != nil && ctx.Err() == nil {
		log.Warn("pruning ended sessions failed", "error", err)
	}
	failures, err := db.PruneLoginFailures(ctx, now.Add(-keepEnded))
	if err != nil && ctx.Err() == nil {
		log.Warn("pruning old login failures failed", "error", err)
	}
	if sessions+failures > 0 {
		log.Info("pruned old rows", "sessions", sessions, "login_failures", failures)
	}
}
