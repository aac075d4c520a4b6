package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authapi/authapi/internal/auth"
	"github.com/authapi/authapi/internal/keyring"
	"github.com/authapi/authapi/internal/store/storetest"
)

// TestSigningKeys covers the signing_keys table on every database: adding
// keys retires the previous one in the same transaction, a taken number is
// a conflict that changes nothing, and private keys can be replaced or
// erased.
func TestSigningKeys(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db := storetest.Open(t, kind)
			if recs, err := db.SigningKeys(ctx); err != nil || len(recs) != 0 {
				t.Fatalf("SigningKeys() on a new database = %v, %v; want none", recs, err)
			}
			t0 := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
			first := keyring.Record{
				ID: "kid-1", Seq: 1, Alg: "EdDSA", PublicPEM: "public 1", PrivateKey: "private 1",
				CreatedAt: t0, ActiveFrom: t0,
			}
			second := keyring.Record{
				ID: "kid-2", Seq: 2, Alg: "ES256", PublicPEM: "public 2", PrivateKey: "aes256gcm:sealed",
				CreatedAt: t0.Add(time.Hour), ActiveFrom: t0.Add(time.Hour + time.Minute),
			}
			for _, r := range []keyring.Record{first, second} {
				if err := db.AddSigningKey(ctx, r); err != nil {
					t.Fatalf("AddSigningKey(%s) = %v, want nil", r.ID, err)
				}
			}
			first.RetiredAt = second.ActiveFrom
			recs, err := db.SigningKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(recs, []keyring.Record{first, second}); diff != "" {
				t.Errorf("SigningKeys() mismatch (-got +want):\n%s", diff)
			}

			// Number 2 is taken, and so is kid-1: both conflicts, and nothing changes.
			for _, r := range []keyring.Record{
				{ID: "kid-3", Seq: 2, Alg: "RS256", PublicPEM: "p", CreatedAt: t0, ActiveFrom: t0.Add(2 * time.Hour)},
				{ID: "kid-1", Seq: 3, Alg: "RS256", PublicPEM: "p", CreatedAt: t0, ActiveFrom: t0.Add(2 * time.Hour)},
			} {
				if err := db.AddSigningKey(ctx, r); !errors.Is(err, keyring.ErrConflict) {
					t.Errorf("AddSigningKey(%s, seq %d) = %v, want ErrConflict", r.ID, r.Seq, err)
				}
			}
			if again, _ := db.SigningKeys(ctx); !cmp.Equal(again, recs) {
				t.Errorf("a refused AddSigningKey changed the keys: %v", again)
			}

			if err := db.SetSigningKeyPrivate(ctx, "kid-1", ""); err != nil {
				t.Fatalf("SetSigningKeyPrivate(erase) = %v", err)
			}
			if err := db.SetSigningKeyPrivate(ctx, "kid-2", "aes256gcm:other"); err != nil {
				t.Fatalf("SetSigningKeyPrivate = %v", err)
			}
			recs, _ = db.SigningKeys(ctx)
			if recs[0].PrivateKey != "" || recs[1].PrivateKey != "aes256gcm:other" {
				t.Errorf("private keys = %q, %q; want erased, replaced", recs[0].PrivateKey, recs[1].PrivateKey)
			}
			if err := db.SetSigningKeyPrivate(ctx, "nope", "x"); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("SetSigningKeyPrivate(unknown) = %v, want ErrNotFound", err)
			}
		})
	}
}

// A rotation retires every earlier key at its ActiveFrom unless that key
// already stops signing sooner: an emergency rotation that follows one with
// a long delay cuts the oldest key's retirement short, and a later rotation
// with a longer delay never extends a retirement already set.
func TestAddSigningKeyRetiresAtTheEarliest(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db := storetest.Open(t, kind)
			t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			key := func(seq int64, created, activeFrom time.Time) keyring.Record {
				return keyring.Record{
					ID: fmt.Sprintf("kid-%d", seq), Seq: seq, Alg: "EdDSA", PublicPEM: "public", PrivateKey: "private",
					CreatedAt: created, ActiveFrom: activeFrom,
				}
			}
			first := key(1, t0, t0)
			scheduled := key(2, t0.Add(time.Minute), t0.Add(24*time.Hour)) // rotate --delay 24h
			emergency := key(3, t0.Add(2*time.Minute), t0.Add(2*time.Minute))
			later := key(4, t0.Add(3*time.Minute), t0.Add(48*time.Hour))
			for _, r := range []keyring.Record{first, scheduled, emergency, later} {
				if err := db.AddSigningKey(ctx, r); err != nil {
					t.Fatalf("AddSigningKey(%s) = %v, want nil", r.ID, err)
				}
			}
			recs, err := db.SigningKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []time.Time
			for _, r := range recs {
				got = append(got, r.RetiredAt)
			}
			want := []time.Time{emergency.ActiveFrom, emergency.ActiveFrom, later.ActiveFrom, {}}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("RetiredAt of keys 1-4 mismatch (-got +want):\n%s", diff)
			}
		})
	}
}
