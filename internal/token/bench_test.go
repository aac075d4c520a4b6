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

func BenchmarkVerify(b *testing.B) {
	for _, alg := range algs() {
		b.Run(alg, func(b *testing.B) {
			m := testManager(b, testKey(b, alg))
			raw := mustIssue(b, m, testClaims(Access))
			for b.Loop() {
				if _, err := m.Verify(raw, Access); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
