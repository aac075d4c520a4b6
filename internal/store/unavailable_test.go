package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authapi/authapi/internal/auth"
)

func TestUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no rows", sql.ErrNoRows, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"plain error", errors.New("boom"), false},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"canceled", context.Canceled, true},
		{"bad conn", driver.ErrBadConn, true},
		{"conn done", sql.ErrConnDone, true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
	}
	for _, tt := range tests {
		if got := unavailable(tt.err); got != tt.want {
			t.Errorf("%s: unavailable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
		if got := errors.Is(check(tt.err), auth.ErrUnavailable); got != tt.want {
			t.Errorf("%s: check marks %v", tt.name, got)
		}
		if !errors.Is(check(tt.err), tt.err) {
			t.Errorf("%s: check lost the cause", tt.name)
		}
	}
	if check(nil) != nil {
		t.Error("check(nil) != nil")
	}
}
