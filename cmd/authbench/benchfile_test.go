package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBench(t *testing.T) {
	t.Parallel()
	out := `goos: linux
pkg: github.com/authapi/authapi/internal/token
BenchmarkVerify/RS256-2   	   55340	     46563 ns/op	    5000 B/op
BenchmarkVerify/RS256-2   	   55340	     40000 ns/op
BenchmarkVerify/RS256-2   	   55340	     50000 ns/op
pkg: github.com/authapi/authapi/internal/store
BenchmarkUserByID/sqlite-2 	   82592	     30156 ns/op
BenchmarkNoProcs 	   10	     7 ns/op
PASS
`
	got, err := parseBench(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := benchResults{
		"token.BenchmarkVerify/RS256":    46563, // the median of three
		"store.BenchmarkUserByID/sqlite": 30156,
		"store.BenchmarkNoProcs":         7,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseBench (-want +got):\n%s", diff)
	}
}
