package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/authapi/authapi/internal/auth"
	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
)

// Transcript section 9: accounts changed behind the API's back, with difference 6.
func TestAccountState(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		u := e.register("Bob", "bob@example.com", "password123")
		id := uuid.MustParse(u["id"].(string))
		s := e.login("bob@example.com", "password123") // 106
		if err := e.db.SetVerified(t.Context(), id, false); err != nil {
			t.Fatal(err)
		}
		login := func(pw string) resp {
			return e.do(req{method: "POST", path: "/api/auth/login", body: mustJSON(map[string]string{"email": "bob@example.com", "password": pw})})
		}
		login("password123").expect(t, 401, `{"detail":"Please verify your email address"}`)                  // 107
		login("wrongpass1").expect(t, 400, `{"detail":"Incorrect Email or Password"}`)                        // 108, difference 6
		e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": s.access}}).expect(t, 401, // 109
			`{"detail":"Please verify your account"}`)
		r := e.do(req{path: "/api/auth/refresh", cookies: map[string]string{"refresh_token": s.refresh}}) // 110
		r.expect(t, 200, "")
		if err := e.db.DeleteUser(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": s.access}}).expect(t, 401, // 111
			`{"detail":"User no longer exist"}`)
		e.do(req{path: "/api/auth/refresh", cookies: map[string]string{"refresh_token": r.cookie("refresh_token").Value}}).expect(t, 400, // 112
			`{"detail":"User no longer exist"}`)
		e.do(req{path: "/api/auth/logout", cookies: map[string]string{"access_token": s.access}}).expect(t, 401, // 113
			`{"detail":"User no longer exist"}`)
	})
}

// Transcript section 11: a short access lifetime, then refresh.
func TestAccessExpiry(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind, func(c *envConfig) { c.AccessTTL = time.Minute })
		e.register("Alice", "alice@example.com", "password123")
		r := e.do(req{method: "POST", path: "/api/auth/login", body: `{"email":"alice@example.com","password":"password123"}`}) // 116
		r.expect(t, 200, "")
		if c := r.cookie("access_token"); c.MaxAge != 60 || r.cookie("logged_in").MaxAge != 60 {
			t.Fatalf("access Max-Age = %d, want 60", c.MaxAge)
		}
		access, refresh := r.cookie("access_token").Value, r.cookie("refresh_token").Value
		e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": access}}).expect(t, 200, "") // 117
		e.clock.Advance(62 * time.Second)
		invalid := `{"detail":"Token is invalid or has expired"}`
		e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": access}}).expect(t, 401, invalid)             // 118
		e.do(req{path: "/api/users/me", header: map[string]string{"Authorization": "Bearer " + access}}).expect(t, 401, invalid) // 119
		e.do(req{path: "/api/auth/logout", cookies: map[string]string{"access_token": access}}).expect(t, 401, invalid)          // 120
		r = e.do(req{path: "/api/auth/refresh", cookies: map[string]string{"refresh_token": refresh}})                           // 121
		r.expect(t, 200, "")
		e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": r.json(t)["access_token"].(string)}}).expect(t, 200, "") // 122
	})
}

// Users imported from the reference server keep their bcrypt hash until their
// next successful login, which re-hashes the password with argon2id.
func TestBcryptImportIsRehashed(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		hash, err := bcrypt.GenerateFromPassword([]byte("password123"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		u := auth.User{
			ID: uuid.New(), Name: "Imported", Email: "old@example.com", Photo: "x.png",
			PasswordHash: "$2b$" + strings.TrimPrefix(string(hash), "$2a$"), // as passlib writes it
			Verified:     true, Role: "user", CreatedAt: now, UpdatedAt: now,
		}
		if err := e.db.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		login := func(pw string) resp {
			return e.do(req{method: "POST", path: "/api/auth/login", body: mustJSON(map[string]string{"email": "old@example.com", "password": pw})})
		}
		login("wrongpass1").expect(t, 400, `{"detail":"Incorrect Email or Password"}`)
		if got, _ := e.db.UserByID(t.Context(), u.ID); got.PasswordHash != u.PasswordHash {
			t.Fatal("a failed login changed the stored hash")
		}
		login("password123").expect(t, 200, "")
		got, err := e.db.UserByID(t.Context(), u.ID)
		if err != nil || !strings.HasPrefix(got.PasswordHash, "$argon2id$") {
			t.Fatalf("hash after login = %.12q..., %v; want argon2id", got.PasswordHash, err)
		}
		login("password123").expect(t, 200, "")
	})
}

// Bodies over the limit are refused with 413 before anything is processed.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, "sqlite")
	big := `{"name":"` + strings.Repeat("x", 1<<20) + `","email":"big@example.com","password":"password123","passwordConfirm":"password123"}`
	e.do(req{method: "POST", path: "/api/auth/register", body: big}).expect(t, 413, `{"detail":"Request body too large"}`)
	if _, err := e.db.UserByEmail(t.Context(), "big@example.com"); err == nil {
		t.Fatal("an oversized registration was stored")
	}
}
