package token

import (
	"crypto/sha256"
	"sync"
	"time"
)

// defaultCacheSize is the number of verified access tokens remembered when
// Options.CacheSize is zero: about 2 MiB at most.
const defaultCacheSize = 10000

// verifiedCache remembers access tokens that passed every check of Verify, so
// that the same token presented again (a client sends one access token with
// every request for its whole life) costs a hash and a map lookup instead of
// a signature verification, the largest part of a request to a protected
// route.
//
// It is safe because it only ever answers for the exact bytes that were
// verified: entries are keyed by the SHA-256 of the whole token, so a token
// differing in any byte, the signature included, misses and is verified in
// full. What does change with time is checked on every hit: exp, strictly,
// as Verify does. Only access tokens are kept (refresh tokens are used once),
// and a cache belongs to one key set, so replacing the keys forgets it: a
// token of a key that was removed is refused at once. Revocation is not the
// token's business; the caller checks the session on every request either way.
//
// Memory is bounded by two generations of at most size/2 entries: when the
// current one is full it becomes the old one and the oldest is dropped. A hit
// in the old generation is copied to the current one, so tokens in use stay
// while those of clients gone quiet (and expired ones) age out without any
// sweeping.
type verifiedCache struct {
	half int

	mu       sync.RWMutex
	cur, old map[[sha256.Size]byte]Claims
}

// newVerifiedCache returns a cache of at most size tokens (two when size is
// one), or nil (no cache) for size < 1.
func newVerifiedCache(size int) *verifiedCache {
	if size < 1 {
		return nil
	}
	return &verifiedCache{half: max(1, size/2), cur: map[[sha256.Size]byte]Claims{}}
}

// get returns the claims of raw if it was verified before and has not
// expired at now.
func (c *verifiedCache) get(raw string, now time.Time) (Claims, [sha256.Size]byte, bool) {
	key := sha256.Sum256([]byte(raw))
	c.mu.RLock()
	cl, ok := c.cur[key]
	inOld := false
	if !ok {
		cl, ok = c.old[key]
		inOld = ok
	}
	c.mu.RUnlock()
	if !ok || !now.Before(cl.ExpiresAt) {
		return Claims{}, key, false
	}
	if inOld {
		c.put(key, cl) // still in use: keep it through the next turnover
	}
	return cl, key, true
}

// put remembers that the token hashing to key verified with claims cl.
func (c *verifiedCache) put(key [sha256.Size]byte, cl Claims) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.half {
		c.old, c.cur = c.cur, make(map[[sha256.Size]byte]Claims, c.half)
	}
	c.cur[key] = cl
}

// len returns the number of tokens remembered.
func (c *verifiedCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.cur) + len(c.old)
}

// CacheStats counts the lookups of access tokens in the cache of verified
// tokens since the Manager was made; both zero when it is turned off.
type CacheStats struct {
	Hits, Misses uint64
}

// CacheStats returns the cache's counters.
func (m *Manager) CacheStats() CacheStats {
	return CacheStats{Hits: m.cacheHits.Load(), Misses: m.cacheMisses.Load()}
}
