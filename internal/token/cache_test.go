package token

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// clock is a settable clock for the cache tests.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}
func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) now() time.Time      { return *c.t.Load() }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

func wantStats(t *testing.T, m *Manager, hits, misses uint64) {
	t.Helper()
	if got := m.CacheStats(); got != (CacheStats{Hits: hits, Misses: misses}) {
		t.Fatalf("cache stats = %+v, want %d hits and %d misses", got, hits, misses)
	}
}

// A token verified once is answered from the cache with the same claims; a
// token differing in one byte of its signature is not, and fails.
func TestCacheAnswersOnlyTheSameToken(t *testing.T) {
	t.Parallel()
	for _, alg := range algs() {
		m := testManager(t, testKey(t, alg))
		raw := mustIssue(t, m, testClaims(Access))
		first, err := m.Verify(raw, Access)
		if err != nil {
			t.Fatal(err)
		}
		wantStats(t, m, 0, 1)
		again, err := m.Verify(raw, Access)
		if err != nil || again != first {
			t.Fatalf("%s: second Verify = %+v, %v; want %+v", alg, again, err, first)
		}
		wantStats(t, m, 1, 1)

		// The last character of the signature changed, and the first of the
		// payload: each is a different string, verified in full and refused.
		sig := raw[strings.LastIndexByte(raw, '.')+1:]
		flip := map[byte]byte{'A': 'B', 'B': 'A'}[sig[0]]
		if flip == 0 {
			flip = 'A'
		}
		head, payload, _ := strings.Cut(raw, ".")
		for _, bad := range []string{
			raw[:len(raw)-len(sig)] + string(flip) + sig[1:],
			head + "." + "x" + payload[1:],
		} {
			if _, err := m.Verify(bad, Access); err == nil {
				t.Fatalf("%s: altered token %q verified", alg, bad)
			}
		}
		wantStats(t, m, 1, 3)
	}
}

// exp is checked on every hit: a cached token stops working at its exp
// exactly as an uncached one does.
func TestCacheChecksExpiry(t *testing.T) {
	t.Parallel()
	clk := newClock(testNow())
	m := NewManager(testKey(t, EdDSA), Options{Issuer: testIssuer, Now: clk.now})
	raw := mustIssue(t, m, testClaims(Access))
	if _, err := m.Verify(raw, Access); err != nil {
		t.Fatal(err)
	}
	clk.add(15*time.Minute - time.Second)
	if _, err := m.Verify(raw, Access); err != nil {
		t.Fatalf("1s before exp: %v", err)
	}
	wantStats(t, m, 1, 1)
	clk.add(time.Second)
	if _, err := m.Verify(raw, Access); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("at exp: err = %v, want expired", err)
	}
}

// Only access tokens are cached, and a cached access token is no refresh token.
func TestCacheKeepsTypes(t *testing.T) {
	t.Parallel()
	m := testManager(t, testKey(t, EdDSA))
	access := mustIssue(t, m, testClaims(Access))
	refresh := mustIssue(t, m, testClaims(Refresh))
	if _, err := m.Verify(access, Access); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Verify(access, Refresh); err == nil {
		t.Fatal("a cached access token verified as a refresh token")
	}
	for range 2 {
		if _, err := m.Verify(refresh, Refresh); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Verify(refresh, Access); err == nil {
		t.Fatal("a refresh token verified as an access token")
	}
	// The refresh token as Access was looked up and missed; nothing else
	// but the first access Verify touched the cache.
	wantStats(t, m, 0, 2)
	if n := m.keys.Load().cache.len(); n != 1 {
		t.Fatalf("cache holds %d tokens, want 1 (the access token)", n)
	}
}

// Replacing the keys forgets the cache: a token of a key no longer in the set
// is refused at once, even though it was verified a moment ago.
func TestCacheForgetsRemovedKeys(t *testing.T) {
	t.Parallel()
	a, b := testKey(t, EdDSA), otherKey(t, EdDSA)
	m := testManager(t, a)
	other := testManager(t, b)
	raw := mustIssue(t, other, testClaims(Access))
	if err := m.SetKeys(KeySet{Signing: a, Verify: []PublicKey{b.PublicKey()}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := m.Verify(raw, Access); err != nil {
			t.Fatal(err)
		}
	}
	wantStats(t, m, 1, 1)
	if err := m.SetKeys(KeySet{Signing: a}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Verify(raw, Access); err == nil || !strings.Contains(err.Error(), "unknown kid") {
		t.Fatalf("token of a removed key: err = %v, want unknown kid", err)
	}
}

// The cache never holds more than its size; a token in use stays through
// every turnover of the generations, and one not used again ages out.
func TestCacheBounded(t *testing.T) {
	t.Parallel()
	m := NewManager(testKey(t, EdDSA), Options{Issuer: testIssuer, Now: testNow, CacheSize: 4})
	issue := func() string {
		c := testClaims(Access)
		c.ID = uuid.New()
		return mustIssue(t, m, c)
	}
	verify := func(raw string) {
		t.Helper()
		if _, err := m.Verify(raw, Access); err != nil {
			t.Fatal(err)
		}
		if n := m.keys.Load().cache.len(); n > 4 {
			t.Fatalf("cache holds %d tokens, more than its size 4", n)
		}
	}
	hot, first := issue(), issue()
	verify(hot)
	verify(first)
	for range 10 {
		verify(issue())
		verify(hot)
	}
	// hot: 1 miss then 10 hits; first and the 10 others: 1 miss each.
	wantStats(t, m, 10, 12)
	verify(first)
	wantStats(t, m, 10, 13)
}

func TestCacheOff(t *testing.T) {
	t.Parallel()
	m := NewManager(testKey(t, EdDSA), Options{Issuer: testIssuer, Now: testNow, CacheSize: -1})
	raw := mustIssue(t, m, testClaims(Access))
	for range 3 {
		if _, err := m.Verify(raw, Access); err != nil {
			t.Fatal(err)
		}
	}
	if m.keys.Load().cache != nil {
		t.Fatal("CacheSize -1 made a cache")
	}
	wantStats(t, m, 0, 0)
}

// Verify from many goroutines while the keys are replaced: run with -race.
func TestCacheConcurrent(t *testing.T) {
	t.Parallel()
	k := testKey(t, EdDSA)
	m := NewManager(k, Options{Issuer: testIssuer, Now: testNow, CacheSize: 8})
	tokens := make([]string, 16)
	for i := range tokens {
		c := testClaims(Access)
		c.ID = uuid.New()
		tokens[i] = mustIssue(t, m, c)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if _, err := m.Verify(tokens[(g+i)%len(tokens)], Access); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if err := m.SetKeys(KeySet{Signing: k}); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if s := m.CacheStats(); s.Hits+s.Misses != 800 {
		t.Fatalf("cache stats %+v: %d lookups, want 800", s, s.Hits+s.Misses)
	}
}
