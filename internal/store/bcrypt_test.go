package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/store/storetest"
)

// MaxBcryptCost finds the highest cost among the bcrypt hashes left, and 0
// when there is none, whatever else the table holds.
func TestMaxBcryptCost(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db := storetest.Open(t, kind)
			want := func(cost int) {
				t.Helper()
				if got, err := db.MaxBcryptCost(ctx); err != nil || got != cost {
					t.Fatalf("MaxBcryptCost() = %d, %v; want %d, nil", got, err, cost)
				}
			}
			want(0)
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			add := func(hash string) uuid.UUID {
				u := auth.User{
					ID: uuid.New(), Name: "U", Email: fmt.Sprintf("u%d@example.com", now.UnixNano()), Photo: auth.DefaultPhoto,
					PasswordHash: hash, Role: auth.RoleUser, CreatedAt: now, UpdatedAt: now,
				}
				now = now.Add(time.Second)
				if err := db.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				return u.ID
			}
			add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5")
			want(0)
			add("$2b$10$ql8xtPbN207ouv0QuqXOgefQ5Ehhh7wd0uUlzCcW22IZz02FnYswe")
			twelve := add("$2b$12$ql8xtPbN207ouv0QuqXOgefQ5Ehhh7wd0uUlzCcW22IZz02FnYswe")
			add("$2y$08$ql8xtPbN207ouv0QuqXOgefQ5Ehhh7wd0uUlzCcW22IZz02FnYswe")
			want(12)
			// Its user logs in: the hash becomes argon2id.
			if err := db.SetPasswordHash(ctx, twelve, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", now); err != nil {
				t.Fatal(err)
			}
			want(10)
		})
	}
}
