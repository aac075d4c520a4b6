package main

import (
	"strings"
	"testing"
)

// TestChecksInRunFloors checks the targets judged on floors measured in the
// run itself: net/http's cost (the health row), the hash timed around a login,
// me paced at half its rate, the flood against me beside a hash, and how far
// registrations scale against how far argon2id itself does.
func TestChecksInRunFloors(t *testing.T) {
	r := Run{Database: "sqlite", Alg: "EdDSA", CPUs: 2, Scenarios: []Scenario{
		{Name: "health", CPUPerRequestUS: 40, Ops: []Op{{Name: "health"}}},
		{Name: "me", Conns: 32, CPUPerRequestUS: 150, Ops: []Op{{Name: "me", P99MS: 14}}},
		{Name: "me-half", Conns: 32, Rate: 4000, Ops: []Op{{Name: "me", P99MS: 3, RPS: 3990}}},
		{Name: "refresh", CPUPerRequestUS: 300, Ops: []Op{{Name: "refresh"}}},
		{Name: "login", HashP50MS: 20, Ops: []Op{{Name: "login", P50MS: 20.8}}},
		{Name: "register-1", HashP50MS: 20, Ops: []Op{{Name: "register", P50MS: 22, RPS: 50}}},
		{Name: "register", Conns: 2, Ops: []Op{{Name: "register", RPS: 75}}},
		{Name: "flood", Rate: 1000, Conns: 200, HashWorkers: 1, Ops: []Op{
			{Name: "me-alone", P99MS: 0.5}, {Name: "me-beside-hash", P99MS: 2}, {Name: "me", P99MS: 5, Requests: 10000},
			{Name: "login", Status: map[string]int{"200": 10}, Shed: 90},
		}},
	}}
	floors := benchResults{
		"token.BenchmarkVerify/EdDSA": 70_000, "store.BenchmarkUserByID/sqlite": 30_000,
		"token.BenchmarkIssue/EdDSA": 50_000, "store.BenchmarkRotateSession/sqlite": 60_000,
		"password.BenchmarkHash": 20_000_000, "password.BenchmarkHashParallel": 12_500_000,
	}
	got := map[string]check{}
	for _, c := range checks(r, floors) {
		got[c.target] = c
	}
	want := []struct{ prefix, floor, ratio, met string }{
		{"me CPU/req ≤ 1.50 × (token.BenchmarkVerify/EdDSA 70 + store.BenchmarkUserByID/sqlite 30)", "100 µs", "1.50", "yes"},
		{"me CPU/req ≤ 1.50 × (token.BenchmarkVerify/EdDSA 70 + store.BenchmarkUserByID/sqlite 30 + HTTP stack (health row) 40)", "140 µs", "1.07", "yes"},
		{"refresh CPU/req ≤ 1.30 × (2×token.BenchmarkIssue/EdDSA 100 + store.BenchmarkRotateSession/sqlite 60)", "160 µs", "1.88", "**no**"},
		{"refresh CPU/req ≤ 1.30 × (token.BenchmarkVerify/EdDSA 70 + 2×token.BenchmarkIssue/EdDSA 100 + store.BenchmarkRotateSession/sqlite 60 + HTTP stack (health row) 40)", "270 µs", "1.11", "yes"},
		{"login p50 time (1 conn) ≤ 1.05 × one argon2id verify timed by authbench", "20.0 ms", "1.04", "yes"},
		{"register-1 p50 time (1 conn) ≤ 1.05 × one argon2id hash timed by authbench", "20.0 ms", "1.10", "**no**"},
		{"me p99 < 10 ms at 32 connections, as fast as they go", "", "", "**no**"},
		{"me p99 < 10 ms on at most 32 connections, paced at 4000/s", "", "", "yes"},
		{"flood: me p99 (1000/s) with 200 logins in flight ≤ 3 × me alone", "0.50 ms", "10.0", "**no**"},
		{"flood: me p99 (1000/s) with 200 logins in flight ≤ 3 × me beside 1 argon2id", "2.00 ms", "2.5", "yes"},
		{"register scales: req/s at 2 conns ÷ at 1 (2 CPUs)", "", "1.50", "**no**"},
		{"register scales: req/s at 2 conns ÷ at 1 ≥ 0.8 × argon2id's own scaling", "1.60", "0.94", "yes"},
	}
	for _, w := range want {
		var found []check
		for target, c := range got {
			if strings.HasPrefix(target, w.prefix) {
				found = append(found, c)
			}
		}
		if len(found) != 1 {
			t.Errorf("%d checks start %q; have:\n%v", len(found), w.prefix, got)
			continue
		}
		if c := found[0]; c.floor != w.floor || c.ratio != w.ratio || c.met != w.met {
			t.Errorf("%s: floor %q ratio %q met %q, want %q %q %q", c.target, c.floor, c.ratio, c.met, w.floor, w.ratio, w.met)
		}
	}

	// A pace not kept, and a flood whose me sent nothing, are not met.
	r.Scenarios[2].Ops[0].RPS = 3000
	r.Scenarios[len(r.Scenarios)-1].Ops[2] = Op{Name: "me"}
	for _, c := range checks(r, floors) {
		if (strings.HasPrefix(c.target, "me p99 < 10 ms on at most") || strings.HasPrefix(c.target, "flood:")) && c.met != "**no**" {
			t.Errorf("%s: met %q with %s, want **no**", c.target, c.met, c.measured)
		}
	}
}
