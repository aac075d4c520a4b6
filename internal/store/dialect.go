package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds the few things PostgreSQL and SQLite do differently. The
// queries themselves are shared: both engines accept $N placeholders, UPDATE
// ... RETURNING and the same joins, so only argument encoding, error
// classification and the migration setup live here.
type dialect struct {
	name  string // what DB.Dialect reports
	goose goose.Dialect
	// encodeTime turns a UTC, microsecond-truncated time into a query argument.
	encodeTime func(time.Time) any
	// violation reports which kind of constraint err broke, if any.
	violation func(err error) violation
	// prepare caches prepared statements (see stmtCache).
	prepare bool
}

// violation classifies a constraint error from either driver.
type violation struct {
	kind   violationKind
	detail string // pg: constraint name; sqlite: "table.column" list from the message
}

type violationKind int

const (
	noViolation violationKind = iota
	uniqueViolation
	foreignKeyViolation
)

// sqliteTimeLayout is fixed-width (always six fractional digits, always Z), so
// comparing the TEXT values compares the instants; WHERE expires_at > $now
// relies on that.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

var postgresDialect = dialect{
	name:       "postgres",
	goose:      goose.DialectPostgres,
	encodeTime: func(t time.Time) any { return t },
	violation: func(err error) violation {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			return violation{}
		}
		switch pgErr.Code {
		case "23505":
			return violation{uniqueViolation, pgErr.ConstraintName}
		case "23503":
			return violation{foreignKeyViolation, pgErr.ConstraintName}
		}
		return violation{}
	},
}

var sqliteDialect = dialect{
	name:       "sqlite",
	goose:      goose.DialectSQLite3,
	prepare:    true,
	encodeTime: func(t time.Time) any { return t.Format(sqliteTimeLayout) },
	violation: func(err error) violation {
		var sqErr *sqlite.Error
		if !errors.As(err, &sqErr) {
			return violation{}
		}
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			// SQLite names the columns, not the constraint: the message
			// ends "UNIQUE constraint failed: users.email (2067)".
			cols := sqErr.Error()
			if i := strings.LastIndex(cols, "failed: "); i >= 0 {
				cols = cols[i+len("failed: "):]
			}
			return violation{uniqueViolation, cols}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return violation{foreignKeyViolation, ""}
		}
		return violation{}
	},
}

// emailTaken reports whether err is the unique violation of users.email, and
// not, say, a duplicate primary key, which is a caller bug rather than a
// taken address.
func (d dialect) emailTaken(err error) bool {
	v := d.violation(err)
	if v.kind != uniqueViolation {
		return false
	}
	return v.detail == "users_email_key" || strings.HasPrefix(v.detail, "users.email")
}

// foreignKeyMissing reports whether err says a referenced row does not exist.
func (d dialect) foreignKeyMissing(err error) bool {
	return d.violation(err).kind == foreignKeyViolation
}

// dbTime truncates to what both engines store, so a value read back equals the
// value written.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// time encodes t as a query argument.
func (d dialect) time(t time.Time) any {
	return d.encodeTime(dbTime(t))
}

// nullTime encodes the zero time as SQL NULL.
func (d dialect) nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.time(t)
}

// nullUUID encodes uuid.Nil as SQL NULL.
func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// timeDest scans a time from either driver into a UTC time; NULL becomes the
// zero time. PostgreSQL hands back time.Time in the local zone, SQLite the text
// written by encodeTime.
type timeDest struct{ t *time.Time }

// Scan implements sql.Scanner.
func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case time.Time:
		*d.t = dbTime(v)
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	default:
		return fmt.Errorf("scan time: unsupported type %T", src)
	}
	return nil
}

func (d timeDest) parse(s string) error {
	t, err := time.Parse(sqliteTimeLayout, s)
	if err != nil {
		return fmt.Errorf("scan time: %w", err)
	}
	*d.t = t.UTC()
	return nil
}

// nullTimeDest scans a nullable time into a pointer that stays nil for NULL.
type nullTimeDest struct{ t **time.Time }

// Scan implements sql.Scanner.
func (d nullTimeDest) Scan(src any) error {
	if src == nil {
		*d.t = nil
		return nil
	}
	var t time.Time
	if err := (timeDest{&t}).Scan(src); err != nil {
		return err
	}
	*d.t = &t
	return nil
}

// timePtr encodes a nil time pointer as SQL NULL.
func (d dialect) timePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.time(*t)
}
