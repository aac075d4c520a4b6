package httpapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// forge signs claims with the server's own key (or another), as an attacker
// holding a stolen key — or a test — would.
func forge(t *testing.T, e *env, method jwt.SigningMethod, key any, mutate func(c jwt.MapClaims, h map[string]any)) string {
	t.Helper()
	now := e.clock.Now()
	c := jwt.MapClaims{
		"sub": uuid.NewString(), "sid": uuid.NewString(), "jti": uuid.NewString(), "iss": "authapi",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "type": "access", "fresh": false,
	}
	tok := jwt.NewWithClaims(method, c)
	tok.Header["kid"] = e.key.ID()
	if mutate != nil {
		mutate(c, tok.Header)
	}
	if key == nil {
		key = testRSA
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// asUser makes a forged token belong to a real user and session.
func asUser(t *testing.T, real string) func(c jwt.MapClaims, h map[string]any) {
	_, p := claims(t, real)
	return func(c jwt.MapClaims, _ map[string]any) { c["sub"], c["sid"] = p["sub"], p["sid"] }
}

// Transcript section 5: /api/users/me, with deliberate differences 3 and 5.
func TestMe(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		u := e.register("Alice Example", "alice@example.com", "password123")
		s := e.login("alice@example.com", "password123")
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		me := func(header map[string]string, cookies map[string]string) resp {
			return e.do(req{path: "/api/users/me", header: header, cookies: cookies})
		}
		bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
		cookie := func(tok string) map[string]string { return map[string]string{"access_token": tok} }
		invalid := `{"detail":"Token is invalid or has expired"}`
		notLogged := `{"detail":"You are not logged in"}`
		real := asUser(t, s.access)
		tests := []struct {
			name    string
			header  map[string]string
			cookies map[string]string
			status  int
			want    string
		}{
			{"47 no token", nil, nil, 401, notLogged},
			{"48 logged_in only", nil, map[string]string{"logged_in": "True"}, 401, notLogged},
			{"49 garbage cookie", nil, cookie("garbage.token.value"), 401, invalid},
			{"50 garbage bearer", bearer("garbage.token.value"), nil, 401, invalid},
			{"51 refresh in access cookie", nil, cookie(s.refresh), 401, invalid},
			{"52 refresh as bearer", bearer(s.refresh), nil, 401, invalid},
			{"53 refresh cookie only", nil, map[string]string{"refresh_token": s.refresh}, 401, notLogged},
			{"54 other key", nil, cookie(forge(t, e, jwt.SigningMethodRS256, other, real)), 401, invalid},
			{"55 alg none cookie", nil, cookie(forge(t, e, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, real)), 401, invalid},
			{"56 alg none bearer", bearer(forge(t, e, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, real)), nil, 401, invalid},
			{"57 expired", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				c["exp"] = e.clock.Now().Add(-100 * time.Second).Unix()
			})), 401, invalid},
			{"58 HS256 keyed with the public key", nil, cookie(forge(t, e, jwt.SigningMethodHS256, publicPEM(t), real)), 401, invalid},
			{"59 RS512 with the real key", nil, cookie(forge(t, e, jwt.SigningMethodRS512, nil, real)), 401, invalid},
			{"60 no exp is refused (difference 5)", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				delete(c, "exp")
			})), 401, invalid},
			{"61 nbf in the future", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				c["nbf"] = e.clock.Now().Add(time.Hour).Unix()
			})), 401, invalid},
			{"iat in the future", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				c["iat"] = e.clock.Now().Add(time.Hour).Unix()
			})), 401, invalid},
			{"62 no type", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				delete(c, "type")
			})), 401, invalid},
			{"63 ghost user", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, nil)), 401, `{"detail":"User no longer exist"}`},
			{"64 sub not a UUID", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				c["sub"] = "not-a-uuid"
			})), 401, invalid},
			{"forged session of a real user", nil, cookie(forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, _ map[string]any) {
				c["sub"] = u["id"]
			})), 401, invalid},
			{"jku header ignored", nil, cookie(forge(t, e, jwt.SigningMethodRS256, other, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				h["jku"] = "http://evil.example/jwks.json"
			})), 401, invalid},
			{"65 Basic header (difference 3)", map[string]string{"Authorization": "Basic YWxpY2U6cGFzcw=="}, nil, 401, invalid},
			{"66 bare Bearer", map[string]string{"Authorization": "Bearer"}, nil, 401, invalid},
			{"68 three parts", map[string]string{"Authorization": "Bearer a b"}, nil, 401, invalid},
			{"69 invalid bearer wins over valid cookie", bearer("garbage.token.value"), cookie(s.access), 401, invalid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				me(tc.header, tc.cookies).expect(t, tc.status, tc.want)
			})
		}
		for _, tc := range []struct {
			name    string
			header  map[string]string
			cookies map[string]string
		}{
			{"45 cookie", nil, cookie(s.access)},
			{"46 bearer", bearer(s.access), nil},
			{"67 lower-case scheme", map[string]string{"Authorization": "bearer " + s.access}, nil},
			{"70 valid bearer wins over garbage cookie", bearer(s.access), cookie("garbage")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := me(tc.header, tc.cookies)
				r.expect(t, 200, "")
				checkUser(t, r.json(t), "Alice Example", "alice@example.com", "default.png")
				if r.json(t)["id"] != u["id"] {
					t.Errorf("id = %v, want %v", r.json(t)["id"], u["id"])
				}
			})
		}
		t.Run("71 query parameter not read", func(t *testing.T) {
			e.do(req{path: "/api/users/me?access_token=" + s.access}).expect(t, 401, notLogged)
		})
		t.Run("token over 8 KiB", func(t *testing.T) {
			big := forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				real(c, h)
				c["pad"] = strings.Repeat("x", 9000)
			})
			me(bearer(big), nil).expect(t, 401, invalid)
		})
	})
}

// publicPEM is the server's public key as PEM: the HMAC secret of the classic
// algorithm-confusion attack.
func publicPEM(t *testing.T) []byte {
	t.Helper()
	signingKey(t)
	der, err := x509.MarshalPKIXPublicKey(&testRSA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Transcript sections 6 and 7: refresh and logout, with deliberate differences 1, 2, 4, 10.
func TestRefreshAndLogout(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.register("Alice Example", "alice@example.com", "password123")
		refresh := func(header, cookies map[string]string) resp {
			return e.do(req{path: "/api/auth/refresh", header: header, cookies: cookies})
		}
		invalid := `{"detail":"Refresh token is invalid or has expired"}`
		s := e.login("alice@example.com", "password123")
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		tests := []struct {
			name    string
			header  map[string]string
			cookies map[string]string
			status  int
			want    string
		}{
			{"74 no token", nil, nil, 400, `{"detail":"Please provide refresh token"}`},
			{"75 access token in refresh cookie", nil, map[string]string{"refresh_token": s.access}, 400, invalid},
			{"76 access cookie only", nil, map[string]string{"access_token": s.access}, 400, `{"detail":"Please provide refresh token"}`},
			{"77 access token as bearer", map[string]string{"Authorization": "Bearer " + s.access}, nil, 400, invalid},
			{"79 garbage", nil, map[string]string{"refresh_token": "garbage.token.value"}, 400, invalid},
			{"80 other key", nil, map[string]string{"refresh_token": forge(t, e, jwt.SigningMethodRS256, other, func(c jwt.MapClaims, h map[string]any) {
				asUser(t, s.refresh)(c, h)
				c["type"] = "refresh"
			})}, 400, invalid},
			{"81 alg none", nil, map[string]string{"refresh_token": forge(t, e, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, func(c jwt.MapClaims, h map[string]any) {
				asUser(t, s.refresh)(c, h)
				c["type"] = "refresh"
			})}, 400, invalid},
			{"82 expired", nil, map[string]string{"refresh_token": forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, h map[string]any) {
				asUser(t, s.refresh)(c, h)
				c["type"], c["exp"] = "refresh", e.clock.Now().Add(-time.Minute).Unix()
			})}, 400, invalid},
			{"83 HS256 with the public key", nil, map[string]string{"refresh_token": forge(t, e, jwt.SigningMethodHS256, publicPEM(t), func(c jwt.MapClaims, h map[string]any) {
				asUser(t, s.refresh)(c, h)
				c["type"] = "refresh"
			})}, 400, invalid},
			{"84 ghost user", nil, map[string]string{"refresh_token": forge(t, e, jwt.SigningMethodRS256, nil, func(c jwt.MapClaims, _ map[string]any) {
				c["type"] = "refresh"
			})}, 400, `{"detail":"User no longer exist"}`},
			{"85 access bearer wins over refresh cookie", map[string]string{"Authorization": "Bearer " + s.access}, map[string]string{"refresh_token": s.refresh}, 400, invalid},
			{"86 Basic header (difference 3)", map[string]string{"Authorization": "Basic YWxpY2U6cGFzcw=="}, nil, 401, `{"detail":"Token is invalid or has expired"}`},
			{"88 logout without token", nil, nil, 401, `{"detail":"You are not logged in"}`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := refresh(tc.header, tc.cookies)
				if strings.HasPrefix(tc.name, "88") {
					r = e.do(req{path: "/api/auth/logout", header: tc.header, cookies: tc.cookies})
				}
				r.expect(t, tc.status, tc.want)
			})
		}

		t.Run("73 refresh rotates (difference 1)", func(t *testing.T) {
			r := refresh(nil, map[string]string{"refresh_token": s.refresh})
			r.expect(t, 200, "")
			body := r.json(t)
			if len(body) != 1 || body["access_token"] == nil {
				t.Fatalf("body = %v, want access_token only for a cookie client", body)
			}
			next := r.cookie("refresh_token")
			checkCookie(t, next, "/api/auth", 3600, true)
			checkCookie(t, r.cookie("access_token"), "/", 900, true)
			if next.Value == s.refresh {
				t.Fatal("refresh token was not rotated")
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
			}
			// Within the grace window the old token still works (two tabs)...
			refresh(nil, map[string]string{"refresh_token": s.refresh}).expect(t, 200, "")
			// ...after it, it is a replay: the session is revoked, new tokens included.
			e.clock.Advance(11 * time.Second)
			refresh(nil, map[string]string{"refresh_token": s.refresh}).expect(t, 400,
				`{"detail":"Refresh token was already used; the session has been signed out, please log in again"}`)
			refresh(nil, map[string]string{"refresh_token": next.Value}).expect(t, 400, invalid)
			e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": r.cookie("access_token").Value}}).
				expect(t, 401, `{"detail":"Token is invalid or has expired"}`)
			for outcome, want := range map[string]int{"rotated": 1, "grace": 1, "reuse_revoked": 1} {
				if got := e.events.count("refresh", outcome); got != want {
					t.Errorf("refresh %s events = %d, want %d", outcome, got, want)
				}
			}
		})

		t.Run("78 bearer refresh returns the new refresh token in the body", func(t *testing.T) {
			s := e.login("alice@example.com", "password123")
			r := refresh(map[string]string{"Authorization": "Bearer " + s.refresh}, nil)
			r.expect(t, 200, "")
			next, _ := r.json(t)["refresh_token"].(string)
			if next == "" || next != r.cookie("refresh_token").Value {
				t.Fatalf("body refresh_token %q, cookie %q: want the same new token", next, r.cookie("refresh_token").Value)
			}
			refresh(map[string]string{"Authorization": "Bearer " + next}, nil).expect(t, 200, "")
		})

		t.Run("91-95 logout revokes (difference 2)", func(t *testing.T) {
			s := e.login("alice@example.com", "password123")
			r := e.do(req{path: "/api/auth/logout", cookies: map[string]string{"access_token": s.access, "refresh_token": s.refresh, "logged_in": "True"}})
			r.expect(t, 200, `{"status":"success"}`)
			for _, name := range []string{"access_token", "refresh_token", "logged_in"} {
				c := r.cookie(name)
				if c == nil || c.MaxAge != -1 || c.Value != "" {
					t.Errorf("logout cookie %s = %v, want deleted (Max-Age=0)", name, c)
				}
			}
			if p := r.cookie("refresh_token").Path; p != "/api/auth" {
				t.Errorf("refresh cookie deleted on path %q, want /api/auth (the path it was set on)", p)
			}
			e.do(req{path: "/api/users/me", cookies: map[string]string{"access_token": s.access}}).expect(t, 401, `{"detail":"Token is invalid or has expired"}`)
			refresh(nil, map[string]string{"refresh_token": s.refresh}).expect(t, 400, invalid)
		})

		t.Run("92 logout with bearer only, POST accepted (difference 10)", func(t *testing.T) {
			s := e.login("alice@example.com", "password123")
			e.do(req{method: "POST", path: "/api/auth/logout", header: map[string]string{"Authorization": "Bearer " + s.access}}).expect(t, 200, `{"status":"success"}`)
			e.do(req{path: "/api/users/me", header: map[string]string{"Authorization": "Bearer " + s.access}}).expect(t, 401, "")
		})

		t.Run("89-90 logout needs a valid access token", func(t *testing.T) {
			s := e.login("alice@example.com", "password123")
			e.do(req{path: "/api/auth/logout", cookies: map[string]string{"refresh_token": s.refresh}}).expect(t, 401, `{"detail":"You are not logged in"}`)
			e.do(req{path: "/api/auth/logout", cookies: map[string]string{"access_token": "garbage"}}).expect(t, 401, `{"detail":"Token is invalid or has expired"}`)
		})

		t.Run("cross-site GET refused, same-site and trusted origin allowed (difference 10)", func(t *testing.T) {
			s := e.login("alice@example.com", "password123")
			for _, path := range []string{"/api/auth/refresh", "/api/auth/logout"} {
				e.do(req{path: path, header: map[string]string{"Sec-Fetch-Site": "cross-site"},
					cookies: map[string]string{"refresh_token": s.refresh, "access_token": s.access}}).
					expect(t, http.StatusForbidden, `{"detail":"Cross-site request refused"}`)
			}
			r := e.do(req{path: "/api/auth/refresh", header: map[string]string{"Sec-Fetch-Site": "same-origin"}, cookies: map[string]string{"refresh_token": s.refresh}})
			r.expect(t, 200, "")
			e.do(req{path: "/api/auth/refresh", header: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": testOrigin},
				cookies: map[string]string{"refresh_token": r.cookie("refresh_token").Value}}).expect(t, 200, "")
			e.do(req{method: "POST", path: "/api/auth/logout", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
				cookies: map[string]string{"access_token": s.access}}).expect(t, http.StatusForbidden, "")
		})
	})
}

// Concurrent refresh of one token: one rotation, the rest inside the grace
// window get the same current token — never two live branches.
func TestRefreshRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.register("R", "r@example.com", "password123")
		s := e.login("r@example.com", "password123")
		const n = 8
		results := make(chan resp, n)
		start := make(chan struct{})
		for range n {
			go func() {
				<-start
				results <- e.do(req{method: "POST", path: "/api/auth/refresh", cookies: map[string]string{"refresh_token": s.refresh}})
			}()
		}
		close(start)
		jtis := map[any]bool{}
		for range n {
			r := <-results
			r.expect(t, 200, "")
			_, p := claims(t, r.cookie("refresh_token").Value)
			jtis[p["jti"]] = true
		}
		if len(jtis) != 1 {
			t.Fatalf("concurrent refreshes produced %d refresh token ids, want 1 (one branch)", len(jtis))
		}
	})
}
