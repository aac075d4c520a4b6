package httpapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The OpenAPI document is generated from the code; the golden file pins it so
// that any change to the API surface shows up in review.
func TestOpenAPIGolden(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.do(req{path: "/openapi.json"})
	r.expect(t, 200, "")
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, r.body, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "openapi.golden.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/httpapi -run OpenAPIGolden -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("OpenAPI document changed; if that is intended, run: go test ./internal/httpapi -run OpenAPIGolden -update\n%s",
			firstDiff(pretty.String(), string(want)))
	}
	paths := doc["paths"].(map[string]any)
	for _, p := range []string{"/api/healthchecker", "/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/users/me"} {
		if paths[p] == nil {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}
}

func firstDiff(got, want string) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			lo := max(0, i-200)
			return "first difference near:\n" + got[lo:min(len(got), i+200)]
		}
	}
	return "lengths differ"
}
