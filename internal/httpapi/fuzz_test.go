package httpapi

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeJSON: any body gives either a fully decoded struct or errors, never
// a panic, and what it decodes respects the declared limits.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"A","email":"a@example.com","password":"password123","passwordConfirm":"password123"}`,
		`{}`, `[]`, `null`, `{"name": {"a": 1}}`, `{"password": 12345678}`, `{bad json`, `"x"`,
		`{"email":"Eve <EVE@Example.com>","password":"-1e999"}`, `{"name":"\u0000"}`, strings.Repeat("[", 10000),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b registerBody
		_, errs := decodeJSON(data, &b)
		if len(errs) > 0 {
			return
		}
		if n := utf8.RuneCountInString(b.Password); n < 8 || n > 256 {
			t.Fatalf("accepted password of %d characters", n)
		}
		if strings.ContainsRune(b.Name, 0) || b.Email != strings.ToLower(strings.TrimSpace(b.Email)) || !strings.Contains(b.Email, "@") {
			t.Fatalf("accepted name %q email %q", b.Name, b.Email)
		}
	})
}

// FuzzBearerToken: the Authorization header parser never panics, and accepts
// only "Bearer <one token>".
func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{"", "Bearer x", "bearer x", "Basic YWxpY2U6cGFzcw==", "Bearer", "Bearer a b", "Bearer  x ", "\tBearer\tx"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, present, ok := bearerToken(header)
		if present != (header != "") {
			t.Fatalf("present = %v for %q", present, header)
		}
		if ok && (tok == "" || strings.ContainsAny(tok, " \t\r\n") || !strings.EqualFold(strings.Fields(header)[0], "bearer")) {
			t.Fatalf("accepted %q from %q", tok, header)
		}
		if _, err := accessToken(header, ""); (err == nil) != ok {
			t.Fatalf("accessToken disagrees with bearerToken for %q", header)
		}
	})
}
