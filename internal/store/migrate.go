package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds migrations/postgres/*.sql and migrations/sqlite/*.sql:
// the same versions, with the same meaning, in each engine's SQL.
//
//go:embed migrations
var migrationFiles embed.FS

// MigrateUp applies every pending migration. Several processes may call it at
// once on one database: PostgreSQL serializes them with an advisory lock, SQLite
// with a lock file beside the database, and the late ones find nothing to do.
func (db *DB) MigrateUp(ctx context.Context) error {
	err := db.migrate(ctx, func(p *goose.Provider) error {
		_, err := p.Up(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// MigrateDown rolls back the most recent migration, if any.
func (db *DB) MigrateDown(ctx context.Context) error {
	err := db.migrate(ctx, func(p *goose.Provider) error {
		_, err := p.Down(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// MigrateStatus writes a table of every known migration to w: its version,
// whether it is applied or pending, when it was applied, and its file.
func (db *DB) MigrateStatus(ctx context.Context, w io.Writer) error {
	var statuses []*goose.MigrationStatus
	err := db.migrate(ctx, func(p *goose.Provider) (err error) {
		statuses, err = p.Status(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate status: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tFILE")
	for _, s := range statuses {
		applied := "-"
		if !s.AppliedAt.IsZero() {
			applied = s.AppliedAt.UTC().Format(time.DateTime + "Z")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Source.Version, s.State, applied, filepath.Base(s.Source.Path))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("migrate status: %w", err)
	}
	return nil
}

// migrate runs fn with a goose provider for this database while holding the
// migration lock. On PostgreSQL that is goose's advisory lock, taken by the
// provider. On SQLite it is a lock file beside the database, held around the
// whole call: goose checks for pending migrations and creates its version table
// before taking its own lock, and concurrent first runs would then collide and
// sit out goose's one-second retry.
func (db *DB) migrate(ctx context.Context, fn func(*goose.Provider) error) error {
	fsys, err := fs.Sub(migrationFiles, "migrations/"+db.d.name)
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if db.sqlitePath != "" {
		unlock, err := lockFile(ctx, db.sqlitePath+"-migrate.lock")
		if err != nil {
			return err
		}
		defer unlock()
	} else {
		// Made per call: goose's lockers count their retries across calls.
		// Poll every second (goose's minimum) for up to five minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(db.d.goose, db.w, fsys, opts...)
	if err != nil {
		return err
	}
	return fn(p)
}

// migrationName matches the files goose reads, capturing the version.
var migrationName = regexp.MustCompile(`^(\d+)_.+\.sql$`)

const migrationSkeleton = `-- +goose Up
-- +goose StatementBegin
SELECT 'up SQL query';
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
SELECT 'down SQL query';
-- +goose StatementEnd
`

// CreateMigration writes dir/NNNNN_name.sql, an empty migration with goose Up
// and Down sections, and returns its path. Versions are sequential (one more
// than the highest in dir) rather than timestamps, so that the postgres and
// sqlite folders keep the same numbers for the same change. name is reduced to
// lower-case letters, digits and underscores.
func CreateMigration(dir, name string) (string, error) {
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if slug == "" {
		return "", fmt.Errorf("create migration %q: name has no letters or digits", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create migration: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("create migration: %w", err)
	}
	var last int64
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return "", fmt.Errorf("create migration: version of %s: %w", e.Name(), err)
		}
		last = max(last, v)
	}
	path := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", last+1, slug))
	// O_EXCL: never overwrite a migration someone wrote meanwhile.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("create migration: %w", err)
	}
	_, werr := io.WriteString(f, migrationSkeleton)
	if err := errors.Join(werr, f.Close()); err != nil {
		return "", fmt.Errorf("create migration: %w", err)
	}
	return path, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// SchemaCurrent checks, in one cheap query, that every embedded migration is
// applied: readiness probes call it. goose deletes a version's row when it
// rolls it back, so the highest recorded version is the schema's version.
func (db *DB) SchemaCurrent(ctx context.Context) error {
	want, err := latestVersion(db.d.name)
	if err != nil {
		return err
	}
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var got sql.NullInt64
	release, err := db.takeReader(ctx)
	if err != nil {
		return fmt.Errorf("schema version: %w", check(err))
	}
	defer release()
	err = db.db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&got)
	if err != nil {
		return fmt.Errorf("schema version: %w", check(err))
	}
	if got.Int64 < want {
		return fmt.Errorf("schema at version %d, want %d: run 'authapi migrate up'", got.Int64, want)
	}
	return nil
}

// latestVersion is the highest migration version embedded for a dialect.
func latestVersion(dialect string) (int64, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations/"+dialect)
	if err != nil {
		return 0, err
	}
	var last int64
	for _, e := range entries {
		if m := migrationName.FindStringSubmatch(e.Name()); m != nil {
			v, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("migration %s: %w", e.Name(), err)
			}
			last = max(last, v)
		}
	}
	return last, nil
}
