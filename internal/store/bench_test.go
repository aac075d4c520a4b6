package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/store/storetest"
)

// The store's hot paths, per database: what every authenticated request and
// every refresh costs below the HTTP layer. docs/PERFORMANCE.md compares the
// server's CPU per request with these. Run with
//
//	TEST_DATABASE_URL=postgres://... go test -run '^$' -bench . ./internal/store

// benchUsers is how many users (one session each) the benchmarks spread their
// lookups over, so they do not measure one hot row.
const benchUsers = 256

// seed fills a fresh database of kind with benchUsers users and sessions.
func seed(b *testing.B, kind string) (*store.DB, []auth.Session) {
	b.Helper()
	db := storetest.Open(b, kind)
	now := time.Now().UTC().Truncate(time.Microsecond)
	sessions := make([]auth.Session, benchUsers)
	for i := range sessions {
		u := auth.User{
			ID: uuid.Must(uuid.NewV7()), Name: "Bench", Email: fmt.Sprintf("bench%d@example.com", i),
			Photo: auth.DefaultPhoto, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			Verified: true, Role: auth.RoleUser, CreatedAt: now, UpdatedAt: now,
		}
		if err := db.CreateUser(b.Context(), u); err != nil {
			b.Fatal(err)
		}
		s := auth.Session{
			ID: uuid.Must(uuid.NewV7()), UserID: u.ID, RefreshJTI: uuid.New(),
			CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(24 * time.Hour), UserAgent: "bench", IP: "127.0.0.1",
		}
		if err := db.CreateSession(b.Context(), s); err != nil {
			b.Fatal(err)
		}
		sessions[i] = s
	}
	return db, sessions
}

// BenchmarkUserByID is the floor of an indexed read: one select by primary key.
func BenchmarkUserByID(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			db, sessions := seed(b, kind)
			i := 0
			for b.Loop() {
				if _, err := db.UserByID(b.Context(), sessions[i%benchUsers].UserID); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkSessionUser is what /api/users/me asks the database: the user and
// whether the token's session is still active, in one query.
func BenchmarkSessionUser(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			db, sessions := seed(b, kind)
			now := time.Now()
			i := 0
			for b.Loop() {
				s := sessions[i%benchUsers]
				if _, err := db.SessionUser(b.Context(), s.UserID, s.ID, now); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkRotateSession is the write of every refresh: the conditional
// UPDATE that swaps in the next refresh token id.
func BenchmarkRotateSession(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			db, sessions := seed(b, kind)
			i := 0
			for b.Loop() {
				s := &sessions[i%benchUsers]
				now := time.Now()
				next := uuid.New()
				rot, err := db.RotateSession(b.Context(), auth.RotateRequest{
					SessionID: s.ID, UserID: s.UserID, PresentedJTI: s.RefreshJTI, NewJTI: next,
					Now: now, GraceStart: now.Add(-10 * time.Second),
				})
				if err != nil || rot.Outcome != auth.Rotated {
					b.Fatalf("RotateSession = %v, %v; want rotated", rot.Outcome, err)
				}
				s.RefreshJTI = next
				i++
			}
		})
	}
}

// BenchmarkCreateSession is the write of every login: one INSERT into
// sessions.
func BenchmarkCreateSession(b *testing.B) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			db, sessions := seed(b, kind)
			i := 0
			for b.Loop() {
				now := time.Now()
				s := auth.Session{
					ID: uuid.Must(uuid.NewV7()), UserID: sessions[i%benchUsers].UserID, RefreshJTI: uuid.New(),
					CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(time.Hour),
					UserAgent: "authbench", IP: "127.0.0.1",
				}
				if err := db.CreateSession(b.Context(), s); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
