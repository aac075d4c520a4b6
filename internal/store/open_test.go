package store

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	db, err := Open(t.Context(), filepath.Join(dir, "authapi.db"))
	if err != nil {
		t.Fatalf("Open() = %v, want nil", err)
	}
	defer db.Close()

	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("Stat(parent) = %v, want nil", err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("parent directory mode = %v, want 0700", got)
	}
	if fi, err := os.Stat(filepath.Join(dir, "authapi.db")); err != nil {
		t.Errorf("Stat(database) = %v", err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode = %v, want 0600 (it holds password hashes)", fi.Mode().Perm())
	}
	if got := db.Dialect(); got != "sqlite" {
		t.Errorf("Dialect() = %q, want sqlite", got)
	}
	// Every connection of the pool must carry the pragmas, not just the first.
	conn1, err := db.db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn1.Close()
	conn2, err := db.db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	writer, err := db.w.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	for _, c := range []struct {
		name      string
		conn      *sql.Conn
		queryOnly string
	}{{"reader", conn2, "1"}, {"writer", writer, "0"}} {
		for _, pragma := range []struct{ name, want string }{
			{"journal_mode", "wal"},
			{"busy_timeout", "5000"},
			{"foreign_keys", "1"},
			{"synchronous", "1"}, // NORMAL
			{"query_only", c.queryOnly},
		} {
			var got string
			if err := c.conn.QueryRowContext(t.Context(), "PRAGMA "+pragma.name).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", c.name, pragma.name, err)
			}
			if got != pragma.want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", c.name, pragma.name, got, pragma.want)
			}
		}
	}
	// A write sent to the readers fails instead of competing with the writer.
	if _, err := conn2.ExecContext(t.Context(), "CREATE TABLE t (x)"); err == nil {
		t.Error("a reader connection wrote")
	}
	if db.w.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool allows %d connections, want 1", db.w.Stats().MaxOpenConnections)
	}
}

func TestOpenSQLiteErrors(t *testing.T) {
	t.Parallel()
	notDB := filepath.Join(t.TempDir(), "not.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", ":memory:", "odd?name.db", notDB} {
		if db, err := Open(t.Context(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) = nil error, want one", path)
		}
	}
}

// TestOpenPostgresHidesPassword needs no server: each DSN fails before or at
// connecting, and the password must not appear in the error.
func TestOpenPostgresHidesPassword(t *testing.T) {
	t.Parallel()
	const pw = "Sup3rSecretPw"
	for _, dsn := range []string{
		"postgres://app:" + pw + "@127.0.0.1:1/authapi?sslmode=disable&connect_timeout=2",
		"postgresql://app:" + pw + "@127.0.0.1:1/authapi?sslmode=disable&connect_timeout=2",
		"postgres://app@127.0.0.1:1/authapi?sslmode=disable&connect_timeout=2&password=" + pw,
		"postgres://app:" + pw + "%21@127.0.0.1:1/authapi?sslmode=disable&connect_timeout=2",
		"postgres://app:" + pw + "@127.0.0.1:99999999/authapi",
		"postgres://app:" + pw + "@127.0.0.1:1/authapi?sslmode=bogus",
		"postgres://app:" + pw + "@[::1/authapi",
		"postgres://app:" + pw + "@%zz/authapi",
	} {
		db, err := Open(t.Context(), dsn)
		if err == nil {
			db.Close()
			t.Errorf("Open(%s) = nil error, want one", strings.ReplaceAll(dsn, pw, "PW"))
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("Open() error = %q, contains the password", err)
		}
	}
}

func TestSQLiteTimeEncoding(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("west", -7*3600)
	times := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(2026, 6, 1, 12, 0, 0, 123456789, zone),
		time.Date(2026, 6, 1, 19, 0, 0, 123457000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
	}
	var encoded []string
	for _, in := range times {
		s, ok := sqliteDialect.time(in).(string)
		if !ok || len(s) != len(sqliteTimeLayout) {
			t.Fatalf("time(%v) = %q, want %d characters", in, s, len(sqliteTimeLayout))
		}
		var got time.Time
		if err := (timeDest{&got}).Scan(s); err != nil {
			t.Fatalf("Scan(%q) = %v, want nil", s, err)
		}
		want := in.UTC().Truncate(time.Microsecond)
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("round trip of %v = %v, want %v", in, got, want)
		}
		encoded = append(encoded, s)
	}
	// Text order is time order: the schema's comparisons rely on it.
	if !slices.IsSorted(encoded) {
		t.Errorf("encoded times %q are not in time order", encoded)
	}
}

func TestTimeDestRejectsJunk(t *testing.T) {
	t.Parallel()
	var got time.Time
	for _, src := range []any{"yesterday", int64(42)} {
		if err := (timeDest{&got}).Scan(src); err == nil {
			t.Errorf("Scan(%v) = nil, want an error", src)
		}
	}
	if err := (timeDest{&got}).Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %v, %v; want zero time, nil", got, err)
	}
}
