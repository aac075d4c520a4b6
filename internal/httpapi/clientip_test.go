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
		forwarded    bool // read Forwarded, not X-Forwarded-For
		want         string
	}{
		{"no proxy", "203.0.113.7:5555", nil, false, "203.0.113.7"},
		{"untrusted peer's header ignored", "203.0.113.7:5555", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, false, "203.0.113.7"},
		{"trusted proxy", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, false, "198.51.100.1"},
		{"forged left entries", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"1.2.3.4, 198.51.100.1"}}, false, "198.51.100.1"},
		{"chain of trusted proxies", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"198.51.100.1, 10.0.0.9"}}, false, "198.51.100.1"},
		{"several headers", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"1.2.3.4", "198.51.100.1"}}, false, "198.51.100.1"},
		{"garbage stops the walk", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"198.51.100.1, nonsense"}}, false, "10.0.0.2"},
		// The client's own Forwarded header, passed through by a proxy that
		// appends to X-Forwarded-For, must not choose the address.
		{"Forwarded ignored by default", "10.0.0.2:80", http.Header{"Forwarded": {"for=203.0.113.99"}, "X-Forwarded-For": {"198.51.100.1"}}, false, "198.51.100.1"},
		{"Forwarded when named", "10.0.0.2:80", http.Header{"Forwarded": {`for="[2001:db8::7]:4711";proto=https`}, "X-Forwarded-For": {"1.2.3.4"}}, true, "2001:db8::7"},
		{"X-Forwarded-For ignored when Forwarded is named", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"203.0.113.99"}}, true, "10.0.0.2"},
		{"Forwarded several", "[::1]:80", http.Header{"Forwarded": {"for=1.2.3.4, for=198.51.100.2;by=10.0.0.1"}}, true, "198.51.100.2"},
		{"only trusted hops", "10.0.0.2:80", http.Header{"X-Forwarded-For": {"10.0.0.3"}}, false, "10.0.0.3"},
		{"mapped v4", "[::ffff:203.0.113.7]:1", nil, false, "203.0.113.7"},
		{"bad remote", "nonsense", nil, false, "invalid IP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clientIP(tc.remote, tc.header, trusted, tc.forwarded).String(); got != tc.want {
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
		for _, forwarded := range []bool{false, true} {
			got := clientIP(remote, h, trusted, forwarded)
			peer := parseHostAddr(remote)
			if peer.IsValid() && !isTrusted(peer, trusted) && got != peer {
				t.Fatalf("untrusted peer %s: got %s from headers", peer, got)
			}
		}
	})
}
