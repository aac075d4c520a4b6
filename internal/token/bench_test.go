package token

import "testing"

func BenchmarkIssue(b *testing.B) {
	for _, alg := range algs() {
		b.Run(alg, func(b *testing.B) {
			m := testManager(b, testKey(b, alg))
			c := testClaims(Access)
			for b.Loop() {
				if _, err := m.Issue(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify is the signature check and claims decoding: the cache of
// verified tokens is off, as for the first use of a token.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range algs() {
		b.Run(alg, func(b *testing.B) {
			m := NewManager(testKey(b, alg), Options{Issuer: testIssuer, Now: testNow, CacheSize: -1})
			raw := mustIssue(b, m, testClaims(Access))
			for b.Loop() {
				if _, err := m.Verify(raw, Access); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyCached is a token presented again: answered by the cache.
func BenchmarkVerifyCached(b *testing.B) {
	m := testManager(b, testKey(b, EdDSA))
	raw := mustIssue(b, m, testClaims(Access))
	for b.Loop() {
		if _, err := m.Verify(raw, Access); err != nil {
			b.Fatal(err)
		}
	}
}
