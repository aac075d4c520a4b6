package authtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

func testCreateUserRoundTrip(t *testing.T, s auth.Store) {
	ctx := t.Context()
	admin := createUser(t, s, "ada@example.com")
	// The other value of every boolean and enum-like field.
	plain := newUser("bob@example.com")
	plain.Name, plain.Photo, plain.Role, plain.Verified = "Bob", auth.DefaultPhoto, auth.RoleUser, false
	plain.PasswordHash = "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
	if err := s.CreateUser(ctx, plain); err != nil {
		t.Fatalf("CreateUser(bob) = %v, want nil", err)
	}

	for _, want := range []auth.User{admin, storedUser(plain)} {
		got, err := s.UserByID(ctx, want.ID)
		if err != nil {
			t.Fatalf("UserByID(%s) = %v, want nil", want.ID, err)
		}
		wantUser(t, "UserByID()", got, want)

		got, err = s.UserByEmail(ctx, want.Email)
		if err != nil {
			t.Fatalf("UserByEmail(%s) = %v, want nil", want.Email, err)
		}
		wantUser(t, "UserByEmail()", got, want)
	}
}

func testCreateUserEmailTaken(t *testing.T, s auth.Store) {
	ctx := t.Context()
	first := createUser(t, s, "ada@example.com")
	second := newUser("ada@example.com")
	second.Name = "Impostor"

	err := s.CreateUser(ctx, second)
	if !errors.Is(err, auth.ErrEmailTaken) {
		t.Fatalf("CreateUser(same email) = %v, want ErrEmailTaken", err)
	}
	if _, err := s.UserByID(ctx, second.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UserByID(rejected user) = %v, want ErrNotFound", err)
	}
	got, err := s.UserByEmail(ctx, "ada@example.com")
	if err != nil {
		t.Fatalf("UserByEmail() = %v, want nil", err)
	}
	wantUser(t, "UserByEmail()", got, first)

	// A reused id is not a taken email: it must not be reported as one.
	dup := newUser("other@example.com")
	dup.ID = first.ID
	if err := s.CreateUser(ctx, dup); err == nil || errors.Is(err, auth.ErrEmailTaken) {
		t.Errorf("CreateUser(same id) = %v, want an error other than ErrEmailTaken", err)
	}
}

func testCreateUserRace(t *testing.T, s auth.Store) {
	const n = 16
	ids := make([]uuid.UUID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		u := newUser("race@example.com")
		u.Name = fmt.Sprintf("racer %d", i)
		ids[i] = u.ID
		wg.Go(func() { errs[i] = s.CreateUser(t.Context(), u) })
	}
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("CreateUser() #%d and #%d both = nil, want exactly one", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, auth.ErrEmailTaken):
			t.Errorf("CreateUser() #%d = %v, want nil or ErrEmailTaken", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("CreateUser(): no call succeeded, want exactly one")
	}
	got, err := s.UserByEmail(t.Context(), "race@example.com")
	if err != nil {
		t.Fatalf("UserByEmail() = %v, want nil", err)
	}
	if got.ID != ids[winner] {
		t.Errorf("UserByEmail().ID = %s, want the winner's %s", got.ID, ids[winner])
	}
}

func testUserNotFound(t *testing.T, s auth.Store) {
	ctx := t.Context()
	createUser(t, s, "ada@example.com")

	got, err := s.UserByID(ctx, uuid.New())
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UserByID(unknown) = %v, want ErrNotFound", err)
	}
	wantUser(t, "UserByID(unknown)", got, auth.User{})

	got, err = s.UserByEmail(ctx, "nobody@example.com")
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UserByEmail(unknown) = %v, want ErrNotFound", err)
	}
	wantUser(t, "UserByEmail(unknown)", got, auth.User{})
}

func testSetPasswordHash(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := createUser(t, s, "ada@example.com")
	other := createUser(t, s, "bob@example.com")
	now := t0.Add(time.Hour + 1234*time.Nanosecond)

	if err := s.SetPasswordHash(ctx, u.ID, "$argon2id$new", now); err != nil {
		t.Fatalf("SetPasswordHash() = %v, want nil", err)
	}
	want := u
	want.PasswordHash, want.UpdatedAt = "$argon2id$new", stored(now)
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserByID() = %v, want nil", err)
	}
	wantUser(t, "UserByID() after SetPasswordHash", got, want)

	got, err = s.UserByID(ctx, other.ID)
	if err != nil {
		t.Fatalf("UserByID(other) = %v, want nil", err)
	}
	wantUser(t, "UserByID(other) after SetPasswordHash", got, other)

	if err := s.SetPasswordHash(ctx, uuid.New(), "$argon2id$x", now); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("SetPasswordHash(unknown) = %v, want ErrNotFound", err)
	}
}
