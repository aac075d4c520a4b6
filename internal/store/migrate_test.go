package store_test

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/pressly/goose/v3"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/store/storetest"
)

// status returns the MigrateStatus table.
func status(t *testing.T, db *store.DB) string {
	t.Helper()
	var buf bytes.Buffer
	if err := db.MigrateStatus(t.Context(), &buf); err != nil {
		t.Fatalf("MigrateStatus() = %v, want nil", err)
	}
	return buf.String()
}

// migrationCount is how many migrations the store embeds (the same number
// for both dialects, which the schemas keep in step).
func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "sqlite", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	pg, _ := filepath.Glob(filepath.Join("migrations", "postgres", "*.sql"))
	if len(pg) != len(files) {
		t.Fatalf("%d PostgreSQL migrations but %d SQLite ones", len(pg), len(files))
	}
	return len(files)
}

// wantStatus fails the test unless the status table lists every migration,
// 00001_init.sql first, in the states given: states[i] for version i+1, the
// last state repeating for the rest.
func wantStatus(t *testing.T, db *store.DB, states ...string) {
	t.Helper()
	got := status(t, db)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	n := migrationCount(t)
	if len(lines) != n+1 || !strings.HasPrefix(lines[0], "VERSION") {
		t.Fatalf("MigrateStatus() =\n%s\nwant a header and %d migrations", got, n)
	}
	if f := strings.Fields(lines[1]); f[0] != "1" || f[len(f)-1] != "00001_init.sql" {
		t.Errorf("MigrateStatus() first row = %q, want version 1 00001_init.sql", lines[1])
	}
	for i, line := range lines[1:] {
		want := states[min(i, len(states)-1)]
		if f := strings.Fields(line); f[0] != strconv.Itoa(i+1) || f[1] != want {
			t.Errorf("MigrateStatus() row %q, want version %d %s", line, i+1, want)
		}
	}
}

// wantSchema fails the test unless the tables exist (or, with false, do not).
func wantSchema(t *testing.T, db *store.DB, exists bool) {
	t.Helper()
	_, err := db.UserByID(t.Context(), uuid.New())
	switch {
	case exists && !errors.Is(err, auth.ErrNotFound):
		t.Errorf("UserByID() = %v, want ErrNotFound from a migrated schema", err)
	case !exists && (err == nil || errors.Is(err, auth.ErrNotFound)):
		t.Errorf("UserByID() = %v, want a missing-table error", err)
	}
}

func TestMigrateUpDown(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db := storetest.OpenEmpty(t, kind)
			wantStatus(t, db, "pending")
			wantSchema(t, db, false)

			for range 2 { // the second run has nothing to do
				if err := db.MigrateUp(ctx); err != nil {
					t.Fatalf("MigrateUp() = %v, want nil", err)
				}
				wantStatus(t, db, "applied")
				wantSchema(t, db, true)
			}

			// Down rolls back one step at a time, the newest first.
			n := migrationCount(t)
			for i := n; i >= 1; i-- {
				if err := db.MigrateDown(ctx); err != nil {
					t.Fatalf("MigrateDown() = %v, want nil", err)
				}
				states := make([]string, n)
				for v := range states {
					states[v] = "applied"
					if v+1 >= i {
						states[v] = "pending"
					}
				}
				wantStatus(t, db, states...)
			}
			wantSchema(t, db, false)

			if err := db.MigrateUp(ctx); err != nil {
				t.Fatalf("MigrateUp() after MigrateDown = %v, want nil", err)
			}
			wantStatus(t, db, "applied")
			wantSchema(t, db, true)
		})
	}
}

// TestMigrateUpConcurrent starts three instances at once on one database, as
// a rolling deploy does: all must succeed, applying each migration once. On an
// empty database they also race to create goose's version table; with the
// version table in place they race straight for the pending migration.
func TestMigrateUpConcurrent(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		for _, fresh := range []bool{true, false} {
			name := kind + "/pending"
			if fresh {
				name = kind + "/empty"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dbs := openInstances(t, storetest.DSN(t, kind), 3)
				if !fresh {
					if err := dbs[0].MigrateUp(t.Context()); err != nil {
						t.Fatalf("MigrateUp() = %v, want nil", err)
					}
					if err := dbs[0].MigrateDown(t.Context()); err != nil {
						t.Fatalf("MigrateDown() = %v, want nil", err)
					}
				}
				errs := make([]error, len(dbs))
				var wg sync.WaitGroup
				for i, db := range dbs {
					wg.Go(func() { errs[i] = db.MigrateUp(t.Context()) })
				}
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("MigrateUp() #%d = %v, want nil", i, err)
					}
				}
				wantStatus(t, dbs[0], "applied")
				wantSchema(t, dbs[0], true)
			})
		}
	}
}

// openInstances opens n stores on one database, as n processes would.
func openInstances(t *testing.T, dsn string, n int) []*store.DB {
	t.Helper()
	dbs := make([]*store.DB, n)
	for i := range dbs {
		db, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatalf("Open() = %v, want nil", err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs
}

func TestCreateMigration(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "migrations")

	first, err := store.CreateMigration(dir, "Add user bio!")
	if err != nil {
		t.Fatalf("CreateMigration() = %v, want nil", err)
	}
	if got, want := filepath.Base(first), "00001_add_user_bio.sql"; got != want {
		t.Errorf("CreateMigration() file = %s, want %s", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "00007_by_hand.sql"), []byte("-- +goose Up\n-- +goose Down\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	next, err := store.CreateMigration(dir, "sessions-per-device")
	if err != nil {
		t.Fatalf("CreateMigration() = %v, want nil", err)
	}
	if got, want := filepath.Base(next), "00008_sessions_per_device.sql"; got != want {
		t.Errorf("CreateMigration() file = %s, want %s", got, want)
	}
	if _, err := store.CreateMigration(dir, "  ?! "); err == nil {
		t.Error("CreateMigration(no letters) = nil, want an error")
	}

	// goose must parse and run the skeletons both ways.
	sqlDB, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "goose.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, sqlDB, os.DirFS(dir), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatalf("goose.NewProvider() = %v, want nil", err)
	}
	up, err := p.Up(t.Context())
	if err != nil || len(up) != 3 {
		t.Fatalf("goose Up() = %d results, %v; want 3, nil", len(up), err)
	}
	if up[0].Empty {
		t.Errorf("goose Up() ran %s as empty, want its placeholder statement", up[0].Source.Path)
	}
	if _, err := p.DownTo(t.Context(), 0); err != nil {
		t.Fatalf("goose DownTo(0) = %v, want nil", err)
	}
}
