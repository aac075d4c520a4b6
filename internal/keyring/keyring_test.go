package keyring_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/keyring"
	"github.com/authapi/authapi/internal/store"
	"github.com/authapi/authapi/internal/store/storetest"
	"github.com/authapi/authapi/internal/token"
)

// clock is a settable test clock.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.t.Add(int64(d)) }

const (
	interval = time.Second
	lifetime = time.Hour
)

// kek is a key-encryption key for the tests.
var kek = bytes.Repeat([]byte{7}, keyring.KEKSize)

// newRing returns a Ring over db as one instance would have it.
func newRing(db *store.DB, clk *clock, change ...func(*keyring.Options)) *keyring.Ring {
	o := keyring.Options{
		Store: db, Alg: token.EdDSA, MaxTokenLifetime: lifetime, Interval: interval, Now: clk.Now,
	}
	for _, c := range change {
		c(&o)
	}
	return keyring.New(o)
}

func withKEK(k []byte) func(*keyring.Options) { return func(o *keyring.Options) { o.KEK = k } }

// forEachDB runs f on a fresh migrated database of every available kind.
func forEachDB(t *testing.T, f func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f(t, storetest.Open(t, kind))
		})
	}
}

// issue signs an access token at clk's time.
func issue(t *testing.T, m *token.Manager, clk *clock) string {
	t.Helper()
	now := clk.Now()
	raw, err := m.Issue(token.Claims{
		Subject: uuid.New(), SessionID: uuid.New(), ID: uuid.New(), Type: token.Access,
		IssuedAt: now, ExpiresAt: now.Add(lifetime),
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func jwksKids(m *token.Manager) []string {
	var out []string
	for _, k := range m.VerifyKeys() {
		out = append(out, k.ID())
	}
	return out
}

// TestInstancesShareTheFirstKey starts three instances at once on an empty
// database: exactly one key is created and all sign with it.
func TestInstancesShareTheFirstKey(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		managers := make([]*token.Manager, 3)
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for i := range managers {
			wg.Go(func() { managers[i], errs[i] = newRing(db, clk).NewManager(t.Context(), token.Options{Now: clk.Now}) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("instance %d: %v", i, err)
			}
		}
		recs, err := db.SigningKeys(t.Context())
		if err != nil || len(recs) != 1 {
			t.Fatalf("keys in the database = %d, %v; want 1", len(recs), err)
		}
		for i, m := range managers {
			if got := m.SigningKey().ID(); got != recs[0].ID {
				t.Errorf("instance %d signs with %s, want %s", i, got, recs[0].ID)
			}
		}
		if recs[0].Alg != token.EdDSA || recs[0].Seq != 1 || !strings.HasPrefix(recs[0].PrivateKey, "-----BEGIN PRIVATE KEY-----") {
			t.Errorf("first key = %s seq %d, private %.20q; want EdDSA seq 1, PEM (no KEK)", recs[0].Alg, recs[0].Seq, recs[0].PrivateKey)
		}
	})
}

// TestImportsTheKeyFileOfEarlierVersions: the key generated into KEYS_DIR
// before keys moved to the database becomes the first key, so the tokens it
// signed stay valid.
func TestImportsTheKeyFileOfEarlierVersions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		dir := t.TempDir()
		old := writeOldKeyFile(t, dir, token.ES256)
		clk := newClock()
		m, err := newRing(db, clk, func(o *keyring.Options) { o.ImportDir, o.Alg = dir, token.ES256 }).NewManager(t.Context(), token.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		if m.SigningKey().ID() != old.ID() {
			t.Errorf("signing key %s, want the imported %s", m.SigningKey().ID(), old.ID())
		}
		// Later starts use the database, not the file.
		if err := os.Remove(filepath.Join(dir, "jwt_private_key.pem")); err != nil {
			t.Fatal(err)
		}
		m2, err := newRing(db, clk, func(o *keyring.Options) { o.ImportDir = dir }).NewManager(t.Context(), token.Options{Now: clk.Now})
		if err != nil || m2.SigningKey().ID() != old.ID() {
			t.Errorf("second start: %v, %v; want the imported key", m2, err)
		}
	})
}

// TestRotation follows one rotation across two instances: the new key is
// published at the next reload and signs from its ActiveFrom on; tokens of
// the old key verify until Retention after that, then the old key leaves
// the JWKS and its private half is erased from the database.
func TestRotation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clk := newClock()
		ringA, ringB := newRing(db, clk, withKEK(kek)), newRing(db, clk, withKEK(kek))
		a, err := ringA.NewManager(ctx, token.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		b, err := ringB.NewManager(ctx, token.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		oldKid := a.SigningKey().ID()
		oldToken := issue(t, a, clk)

		rec, err := newRing(db, clk, withKEK(kek)).Rotate(ctx, "", 2*interval)
		if err != nil {
			t.Fatal(err)
		}
		if rec.ID == oldKid || rec.Alg != token.EdDSA || rec.Seq != 2 || rec.PrivateKey != "" {
			t.Fatalf("Rotate = %s %s seq %d, private %q; want a new EdDSA key, seq 2, no private key returned", rec.ID, rec.Alg, rec.Seq, rec.PrivateKey)
		}

		// Reload: both publish the new key but still sign with the old one.
		clk.Advance(interval)
		for name, p := range map[string]struct {
			r *keyring.Ring
			m *token.Manager
		}{"A": {ringA, a}, "B": {ringB, b}} {
			if err := p.r.Reload(ctx, p.m); err != nil {
				t.Fatal(err)
			}
			if got := jwksKids(p.m); len(got) != 2 || got[0] != oldKid || got[1] != rec.ID {
				t.Errorf("%s: JWKS kids %v, want old then new", name, got)
			}
			if got := p.m.SigningKey().ID(); got != oldKid {
				t.Errorf("%s: signs with %s before ActiveFrom, want the old key", name, got)
			}
		}
		// ActiveFrom: both sign with the new key, without a reload.
		clk.Advance(interval)
		for name, m := range map[string]*token.Manager{"A": a, "B": b} {
			if got := m.SigningKey().ID(); got != rec.ID {
				t.Errorf("%s: signs with %s at ActiveFrom, want %s", name, got, rec.ID)
			}
			if _, err := m.Verify(oldToken, token.Access); err != nil {
				t.Errorf("%s: old token after rotation: %v", name, err)
			}
			if _, err := m.Verify(issue(t, m, clk), token.Access); err != nil {
				t.Errorf("%s: new token: %v", name, err)
			}
		}

		// A minute after retirement the old private key is erased.
		clk.Advance(time.Minute)
		if err := ringA.Reload(ctx, a); err != nil {
			t.Fatal(err)
		}
		recs, _ := db.SigningKeys(ctx)
		if recs[0].PrivateKey != "" || !recs[0].RetiredAt.Equal(rec.ActiveFrom) {
			t.Errorf("old key: private %.20q, retired %v; want erased, retired at %v", recs[0].PrivateKey, recs[0].RetiredAt, rec.ActiveFrom)
		}
		if !strings.HasPrefix(recs[1].PrivateKey, "aes256gcm:") {
			t.Errorf("new key stored as %.20q, want it encrypted", recs[1].PrivateKey)
		}

		// Until Retention after retirement, the old key verifies; then it goes.
		clk.Advance(ringA.Retention() - time.Minute - time.Second)
		if err := ringA.Reload(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := jwksKids(a); len(got) != 2 {
			t.Errorf("just before the end of retention: JWKS %v, want both keys", got)
		}
		clk.Advance(time.Second)
		if err := ringA.Reload(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := jwksKids(a); len(got) != 1 || got[0] != rec.ID {
			t.Errorf("after retention: JWKS %v, want the new key alone", got)
		}

		list, err := ringA.List(ctx)
		if err != nil || len(list) != 2 || list[0].State != keyring.StateExpired || list[1].State != keyring.StateSigning || !list[1].Encrypted {
			t.Errorf("List = %+v, %v; want expired then signing (encrypted)", list, err)
		}
	})
}

// TestConcurrentRotations: of two rotations at once, one wins and the other
// is told to run again; the keys stay consistent.
func TestConcurrentRotations(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		if _, err := newRing(db, clk).NewManager(t.Context(), token.Options{Now: clk.Now}); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = newRing(db, clk).Rotate(t.Context(), "", time.Second) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, keyring.ErrConflict):
				t.Errorf("Rotate: %v, want nil or ErrConflict", err)
			}
		}
		recs, err := db.SigningKeys(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if won < 1 || len(recs) != 1+won {
			t.Fatalf("%d rotations won, %d keys; want at least one, and one key more per win", won, len(recs))
		}
		for i, r := range recs[:len(recs)-1] {
			if r.RetiredAt.IsZero() {
				t.Errorf("key %d of %d not retired", i+1, len(recs))
			}
		}
		if !recs[len(recs)-1].RetiredAt.IsZero() {
			t.Error("newest key retired")
		}
	})
}

// TestEncryptionAtRest: with a KEK the private key column holds no PEM; a
// start without the KEK, or with another, fails with a clear error; keys
// stored before the KEK was set are encrypted at the next start.
func TestEncryptionAtRest(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clk := newClock()
		// Started without a KEK first: the key is stored in the clear.
		if _, err := newRing(db, clk).NewManager(ctx, token.Options{}); err != nil {
			t.Fatal(err)
		}
		// Then with one: it is encrypted in place.
		if _, err := newRing(db, clk, withKEK(kek)).NewManager(ctx, token.Options{}); err != nil {
			t.Fatal(err)
		}
		recs, _ := db.SigningKeys(ctx)
		stored := recs[0].PrivateKey
		if !strings.HasPrefix(stored, "aes256gcm:") || strings.Contains(stored, "PRIVATE KEY") {
			t.Fatalf("stored private key %.30q, want it sealed", stored)
		}

		_, err := newRing(db, clk).NewManager(ctx, token.Options{})
		if err == nil || !strings.Contains(err.Error(), "is encrypted: set KEYS_ENCRYPTION_KEY") {
			t.Errorf("start without the KEK: %v, want a clear error", err)
		}
		wrong := bytes.Repeat([]byte{8}, keyring.KEKSize)
		_, err = newRing(db, clk, withKEK(wrong)).NewManager(ctx, token.Options{})
		if err == nil || !strings.Contains(err.Error(), "KEYS_ENCRYPTION_KEY does not decrypt signing key") {
			t.Errorf("start with another KEK: %v, want a clear error", err)
		}
		// A sealed key moved to another row (kid) does not open.
		if err := db.SetSigningKeyPrivate(ctx, recs[0].ID, stored[:len(stored)-4]+"AAA="); err != nil {
			t.Fatal(err)
		}
		if _, err := newRing(db, clk, withKEK(kek)).NewManager(ctx, token.Options{}); err == nil {
			t.Error("a tampered sealed key opened")
		}
	})
}

// TestRunReloads drives Run with a real short interval.
func TestRunReloads(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ring := keyring.New(keyring.Options{Store: db, Alg: token.ES256, MaxTokenLifetime: time.Hour, Interval: 20 * time.Millisecond,
			Log: slog.New(slog.DiscardHandler)})
		m, err := ring.NewManager(t.Context(), token.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); ring.Run(ctx, m) }()
		defer func() { cancel(); <-done }()

		rec, err := ring.Rotate(t.Context(), token.RS256, 0)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for m.SigningKey().ID() != rec.ID {
			if time.Now().After(deadline) {
				t.Fatalf("still signing with %s 5s after the rotation, want %s", m.SigningKey().ID(), rec.ID)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if m.SigningKey().Alg() != token.RS256 {
			t.Errorf("new key alg %s, want RS256", m.SigningKey().Alg())
		}
	})
}

// TestRecordDoesNotPrintPrivateKey: a Record printed or logged by mistake
// shows no private key.
func TestRecordDoesNotPrintPrivateKey(t *testing.T) {
	t.Parallel()
	r := keyring.Record{ID: "kid", Seq: 2, Alg: token.ES256, PrivateKey: "-----BEGIN PRIVATE KEY-----secret"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("key", "rec", r)
	for _, out := range []string{fmt.Sprint(r), fmt.Sprintf("%+v %#v", r, r), buf.String()} {
		if strings.Contains(out, "secret") || !strings.Contains(out, "kid") {
			t.Errorf("printed record = %s, want the kid and no private key", out)
		}
	}
}

// writeOldKeyFile writes a new key as earlier versions kept the key they
// generated: dir/jwt_private_key.pem, mode 0600.
func writeOldKeyFile(t *testing.T, dir, alg string) *token.Key {
	t.Helper()
	k, err := token.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	privB64, _, err := k.EncodeBase64PEM()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := base64.StdEncoding.DecodeString(privB64)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jwt_private_key.pem"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}
