package httpapi

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, remote string
		header       http.Header
		want         string
	}{
		{"no proxy", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"untrusted peer's header ignored", "203.0.113.7:5555", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.7"},
		{"trusted proxy", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"forged left entries", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"1.2.3.4, 198.51.100.1"}}, "198.51.100.1"},
		{"chain of trusted proxies", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"198.51.100.1, 10.0.0.9"}}, "198.51.100.1"},
		{"several headers", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"1.2.3.4", "198.51.100.1"}}, "198.51.100.1"},
		{"garbage stops the walk", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"198.51.100.1, nonsense"}}, "10.0.0.2"},
		{"Forwarded wins", "10.0.0.2:80", http.Header{"Forwarded": {`for="[2001:db8::7]:4711";proto=https`}, "X-Forwarded-For": {"1.2.3.4"}}, "2001:db8::7"},
		{"Forwarded several", "[::1]:80", http.Header{"Forwarded": {"for=1.2.3.4, for=198.51.100.2;by=10.0.0.1"}}, "198.51.100.2"},
		{"only trusted hops", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"10.0.0.3"}}, "10.0.0.3"},
		{"mapped v4", "[::ffff:203.0.113.7]:1", nil, "203.0.113.7"},
		{"bad remote", "nonsense", nil, "invalid IP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clientIP(tc.remote, tc.header, trusted).String(); got != tc.want {
				t.Errorf("clientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

// FuzzClientIP: forwarding headers are attacker input; the parser never
// panics, and an untrusted peer's headers never matter.
func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.2:80", "198.51.100.1, 10.0.0.3", `for="[2001:db8::7]:4711"`)
	f.Add("203.0.113.7:1", "1.2.3.4", "for=unknown")
	f.Add("[::1]:80", ",,,", `for=";`)
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, remote, xff, fwd string) {
		h := http.Header{"X-Forwarded-For": {xff}, "Forwarded": {fwd}}
		got := clientIP(remote, h, trusted)
		peer := parseHostAddr(remote)
		if peer.IsValid() && !isTrusted(peer, trusted) && got != peer {
			t.Fatalf("untrusted peer %s: got %s from headers", peer, got)
		}
	})
}
