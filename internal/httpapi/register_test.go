package httpapi_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Transcript section 1: routing basics.
func TestRouting(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		tests := []struct {
			name   string
			r      req
			status int
			body   string
			allow  string
		}{
			{"1 health", req{path: "/api/healthchecker"}, 200, `{"message":"Hello World"}`, ""},
			{"2 HEAD is not GET", req{method: "HEAD", path: "/api/healthchecker"}, 405, "", "GET"},
			{"3 wrong method", req{method: "POST", path: "/api/healthchecker"}, 405, `{"detail":"Method Not Allowed"}`, "GET"},
			{"5 unknown route", req{path: "/api/nope"}, 404, `{"detail":"Not Found"}`, ""},
			{"6 GET on login", req{path: "/api/auth/login"}, 405, `{"detail":"Method Not Allowed"}`, "POST"},
			{"72 POST on me", req{method: "POST", path: "/api/users/me"}, 405, `{"detail":"Method Not Allowed"}`, "GET, PATCH"},
			{"100 OPTIONS without preflight", req{method: "OPTIONS", path: "/api/auth/login", header: map[string]string{"Origin": testOrigin}}, 405, `{"detail":"Method Not Allowed"}`, "POST"},
			{"PUT on refresh", req{method: "PUT", path: "/api/auth/refresh"}, 405, `{"detail":"Method Not Allowed"}`, "GET, POST"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(tc.r)
				r.expect(t, tc.status, tc.body)
				if got := r.header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow = %q, want %q", got, tc.allow)
				}
				if ct := r.header.Get("Content-Type"); tc.status >= 400 && ct != "application/json" {
					t.Errorf("Content-Type = %q, want application/json", ct)
				}
			})
		}
		t.Run("4 trailing slash redirects", func(t *testing.T) {
			r := e.do(req{path: "/api/healthchecker/?x=1"})
			if r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != "/api/healthchecker?x=1" {
				t.Fatalf("got %d Location %q, want 307 to /api/healthchecker?x=1", r.status, r.header.Get("Location"))
			}
		})
		t.Run("no redirect to another site", func(t *testing.T) {
			// The decoded path is //evil.example/../api/healthchecker/: a
			// Location of that path without its slash would be
			// protocol-relative, a link to evil.example.
			for _, path := range []string{"//evil.example/..%2Fapi/healthchecker/", "//evil.example/%2E%2E/api/healthchecker/", "/.//evil.example/x/"} {
				r := e.do(req{path: path})
				loc := r.header.Get("Location")
				to, err := url.Parse(loc)
				if err != nil || to.Host != "" || to.Scheme != "" || strings.HasPrefix(loc, "//") || strings.Contains(loc, `\`) {
					t.Errorf("GET %s: %d Location %q leads off the site", path, r.status, loc)
				}
			}
		})
	})
}

var timeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$`)

// checkUser verifies the shape of a user object and returns it.
func checkUser(t *testing.T, u map[string]any, name, email, photo string) {
	t.Helper()
	if u["name"] != name || u["email"] != email || u["photo"] != photo {
		t.Errorf("user = %v, want name %q email %q photo %q", u, name, email, photo)
	}
	if _, err := uuid.Parse(u["id"].(string)); err != nil {
		t.Errorf("id %v is not a UUID", u["id"])
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if s, _ := u[k].(string); !timeRE.MatchString(s) {
			t.Errorf("%s = %v, want RFC 3339 with microseconds and +00:00", k, u[k])
		}
	}
	if u["role"] != "user" || u["verified"] != true {
		t.Errorf("role/verified = %v/%v, want user/true", u["role"], u["verified"])
	}
	for k := range u {
		switch k {
		case "id", "name", "email", "photo", "role", "verified", "created_at", "updated_at":
		default:
			t.Errorf("user object has unexpected field %q", k)
		}
	}
}

// Transcript section 2: register, with deliberate differences 7, 9 and 11.
func TestRegister(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		post := func(body string) resp {
			return e.do(req{method: "POST", path: "/api/auth/register", body: body})
		}
		alice := `{"name": "Alice Example", "email": "Alice@Example.com", "photo": "default.png", "password": "password123", "passwordConfirm": "password123"}`

		t.Run("7 happy path lower-cases email", func(t *testing.T) {
			r := post(alice)
			r.expect(t, 201, "")
			checkUser(t, r.json(t), "Alice Example", "alice@example.com", "default.png")
		})
		missing := func(fields ...string) string {
			var items []string
			for _, f := range fields {
				items = append(items, `{"loc":["body","`+f+`"],"msg":"field required","type":"value_error.missing"}`)
			}
			return `{"detail":[` + strings.Join(items, ",") + `]}`
		}
		allMissing := missing("name", "email", "password", "passwordConfirm")
		badText := func(fields ...string) string {
			var items []string
			for _, f := range fields {
				items = append(items, `{"loc":["body","`+f+`"],"msg":"must be valid UTF-8 text: no invalid bytes or unpaired surrogates","type":"value_error.str.unicode"}`)
			}
			return `{"detail":[` + strings.Join(items, ",") + `]}`
		}
		tests := []struct {
			name   string
			body   string
			ct     string
			status int
			want   string
		}{
			{"9 photo null", `{"name": "Bob", "email": "bob@example.com", "password": "password123", "passwordConfirm": "password123", "photo": null}`, "", 201, ""},
			{"11 duplicate", alice, "", 409, `{"detail":"Account already exist"}`},
			{"12 duplicate other case", strings.Replace(alice, "Alice@Example.com", "ALICE@EXAMPLE.COM", 1), "", 409, `{"detail":"Account already exist"}`},
			{"13 duplicate wins over mismatch", strings.Replace(alice, `"passwordConfirm": "password123"`, `"passwordConfirm": "different123"`, 1), "", 409, `{"detail":"Account already exist"}`},
			{"14 mismatch", `{"name": "Carol", "email": "carol@example.com", "photo": "p.png", "password": "password123", "passwordConfirm": "password124"}`, "", 400, `{"detail":"Passwords do not match"}`},
			{"15 short password", `{"name": "Carol", "email": "carol@example.com", "photo": "p.png", "password": "short12", "passwordConfirm": "short12"}`, "", 422,
				`{"detail":[{"loc":["body","password"],"msg":"ensure this value has at least 8 characters","type":"value_error.any_str.min_length","ctx":{"limit_value":8}}]}`},
			{"16 short confirm is a mismatch", `{"name": "Carol", "email": "carol@example.com", "photo": "p.png", "password": "password123", "passwordConfirm": "x"}`, "", 400, `{"detail":"Passwords do not match"}`},
			{"17 invalid email", `{"name": "Carol", "email": "not-an-email", "photo": "p.png", "password": "password123", "passwordConfirm": "password123"}`, "", 422,
				`{"detail":[{"loc":["body","email"],"msg":"value is not a valid email address","type":"value_error.email"}]}`},
			{"18 special-use TLD", `{"name": "Carol", "email": "carol@foo.test", "photo": "p.png", "password": "password123", "passwordConfirm": "password123"}`, "", 422,
				`{"detail":[{"loc":["body","email"],"msg":"value is not a valid email address","type":"value_error.email"}]}`},
			{"19 empty object", `{}`, "", 422, allMissing},
			{"20 missing passwords", `{"name": "X", "email": "x@example.com", "photo": "a"}`, "", 422, missing("password", "passwordConfirm")},
			{"21 no body", "", "", 422, `{"detail":[{"loc":["body"],"msg":"field required","type":"value_error.missing"}]}`},
			{"24 array body", `[]`, "", 422, `{"detail":[{"loc":["body"],"msg":"value is not a valid dict","type":"type_error.dict"}]}`},
			{"25 text/plain refused", alice, "text/plain", 415, `{"detail":"Content-Type must be application/json"}`},
			{"26 form refused", "name=Dave&email=dave@example.com&photo=a&password=password123&passwordConfirm=password123", "application/x-www-form-urlencoded", 415, `{"detail":"Content-Type must be application/json"}`},
			{"31 name as object", `{"name": {"a": 1}, "email": "obj@example.com", "photo": "x", "password": "password123", "passwordConfirm": "password123"}`, "", 422,
				`{"detail":[{"loc":["body","name"],"msg":"str type expected","type":"type_error.str"}]}`},
			{"password over the limit", `{"name": "L", "email": "l2@example.com", "password": "` + strings.Repeat("A", 257) + `", "passwordConfirm": "x"}`, "", 422,
				`{"detail":[{"loc":["body","password"],"msg":"ensure this value has at most 256 characters","type":"value_error.any_str.max_length","ctx":{"limit_value":256}}]}`},
			{"NUL in name", `{"name": "a\u0000b", "email": "nul@example.com", "password": "password123", "passwordConfirm": "password123"}`, "", 422,
				`{"detail":[{"loc":["body","name"],"msg":"must not contain NUL characters","type":"value_error.str.nul"}]}`},
			{"invalid UTF-8 in password", "{\"name\": \"U\", \"email\": \"utf8@example.com\", \"password\": \"p\xe4ssw\xf6rd1\", \"passwordConfirm\": \"p\xe4ssw\xf6rd1\"}", "", 422, badText("password", "passwordConfirm")},
			{"lone high surrogate in name", `{"name": "a\ud800b", "email": "sur1@example.com", "password": "password123", "passwordConfirm": "password123"}`, "", 422, badText("name")},
			{"lone low surrogate in name", `{"name": "\udc00", "email": "sur2@example.com", "password": "password123", "passwordConfirm": "password123"}`, "", 422, badText("name")},
			{"high surrogate at the end", `{"name": "ab\ud83d", "email": "sur3@example.com", "password": "password123", "passwordConfirm": "password123"}`, "", 422, badText("name")},
			{"paired surrogates and escaped backslash are fine", `{"name": "\ud83d\ude00 \\udc00 \ufffd", "email": "sur4@example.com", "password": "password123", "passwordConfirm": "password123"}`, "", 201, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(req{method: "POST", path: "/api/auth/register", body: tc.body, contentType: tc.ct})
				r.expect(t, tc.status, tc.want)
			})
		}
		t.Run("8 photo omitted gets the default", func(t *testing.T) {
			r := post(`{"name": "Bob2", "email": "bob2@example.com", "password": "password123", "passwordConfirm": "password123"}`)
			r.expect(t, 201, "")
			checkUser(t, r.json(t), "Bob2", "bob2@example.com", "default.png")
		})
		t.Run("23 malformed JSON", func(t *testing.T) {
			r := post(`{"name": "X", "email": `)
			r.expect(t, 422, "")
			item := r.json(t)["detail"].([]any)[0].(map[string]any)
			if item["type"] != "value_error.jsondecode" {
				t.Errorf("type = %v, want value_error.jsondecode", item["type"])
			}
		})
		t.Run("27 no Content-Type is read as JSON", func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/api/auth/register", contentType: "-",
				body: `{"name": "Carol", "email": "nocontenttype@example.com", "photo": "p.png", "password": "password123", "passwordConfirm": "password123"}`})
			r.expect(t, 201, "")
		})
		t.Run("28 display-name form", func(t *testing.T) {
			r := post(`{"name": "Eve", "email": "Eve Person <EVE@Example.com>", "photo": "e", "password": "password123", "passwordConfirm": "password123"}`)
			r.expect(t, 201, "")
			checkUser(t, r.json(t), "Eve", "eve@example.com", "e")
		})
		t.Run("29 surrounding spaces", func(t *testing.T) {
			r := post(`{"name": "Sp", "email": "  spaced@example.com  ", "photo": "e", "password": "password123", "passwordConfirm": "password123"}`)
			r.expect(t, 201, "")
			checkUser(t, r.json(t), "Sp", "spaced@example.com", "e")
		})
		t.Run("30 empty name and numeric passwords", func(t *testing.T) {
			r := post(`{"name":"","email":"num@example.com","photo":"x","password":12345678,"passwordConfirm":12345678}`)
			r.expect(t, 201, "")
			e.login("num@example.com", "12345678")
		})
		t.Run("22 mass assignment ignored", func(t *testing.T) {
			r := post(`{"name": "Mallory", "email": "mallory@example.com", "photo": "m.png", "password": "password123", "passwordConfirm": "password123", "role": "admin", "verified": false, "id": "00000000-0000-0000-0000-000000000001", "created_at": "2000-01-01T00:00:00Z", "foo": "bar"}`)
			r.expect(t, 201, "")
			u := r.json(t)
			checkUser(t, u, "Mallory", "mallory@example.com", "m.png")
			if u["id"] == "00000000-0000-0000-0000-000000000001" || strings.HasPrefix(u["created_at"].(string), "2000") {
				t.Errorf("client-sent id or created_at was stored: %v", u)
			}
			stored, err := e.db.UserByEmail(t.Context(), "mallory@example.com")
			if err != nil || stored.Role != "user" || !stored.Verified {
				t.Errorf("stored user = %+v, %v; want role user, verified", stored, err)
			}
		})
		t.Run("32 long password is kept whole (difference 7)", func(t *testing.T) {
			pw := strings.Repeat("A", 72) + "tail-one"
			e.register("Long", "long@example.com", pw)
			e.login("long@example.com", pw)
			r := e.do(req{method: "POST", path: "/api/auth/login", body: mustJSON(map[string]string{
				"email": "long@example.com", "password": strings.Repeat("A", 72) + "something-else"})})
			r.expect(t, 400, `{"detail":"Incorrect Email or Password"}`)
		})
		t.Run("no hash in the database response", func(t *testing.T) {
			u, err := e.db.UserByEmail(t.Context(), "alice@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Errorf("stored hash %q..., want an argon2id PHC string", u.PasswordHash[:10])
			}
		})
	})
}

// Concurrent registration of one email: exactly one 201, the rest 409, no 5xx.
func TestRegisterRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		const n = 12
		codes := make(chan int, n)
		start := make(chan struct{})
		for range n {
			go func() {
				<-start
				codes <- e.do(req{method: "POST", path: "/api/auth/register", body: `{"name":"R","email":"race@example.com","password":"password123","passwordConfirm":"password123"}`}).status
			}()
		}
		close(start)
		count := map[int]int{}
		for range n {
			count[<-codes]++
		}
		if count[201] != 1 || count[409] != n-1 {
			t.Fatalf("status counts = %v, want one 201 and %d 409", count, n-1)
		}
	})
}
