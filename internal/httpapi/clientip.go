package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type clientIPKey struct{}

// withClientIP works out who the client is once per request and keeps it in
// the context, for the rate limits and the session list. Forwarding headers
// are believed only from the trusted proxies: anyone else could write them.
func withClientIP(next http.Handler, trusted []netip.Prefix, header string) http.Handler {
	forwarded := strings.EqualFold(header, "forwarded")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := clientIP(r.RemoteAddr, r.Header, trusted, forwarded)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// clientIPFrom returns the client address withClientIP stored (invalid if none).
func clientIPFrom(ctx context.Context) netip.Addr {
	ip, _ := ctx.Value(clientIPKey{}).(netip.Addr)
	return ip
}

// clientIP is the peer address, or — when the peer is a trusted proxy — the
// right-most address in X-Forwarded-For (Forwarded if forwarded) that is not
// a trusted proxy itself: each proxy appends the address it saw, so entries
// to the left of the first untrusted one may be forged. The other header is
// not read at all: a proxy that appends to one passes the other through as
// the client sent it.
func clientIP(remoteAddr string, h http.Header, trusted []netip.Prefix, forwarded bool) netip.Addr {
	peer := parseHostAddr(remoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	var hops []string
	if forwarded {
		hops = forwardedFor(h.Values("Forwarded"))
	} else {
		hops = xForwardedFor(h.Values("X-Forwarded-For"))
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		addr := parseHostAddr(hops[i])
		if !addr.IsValid() {
			break // garbage: trust nothing further left
		}
		client = addr
		if !isTrusted(addr, trusted) {
			break
		}
	}
	return client
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parseHostAddr reads an IP with or without a port ("203.0.113.7",
// "203.0.113.7:443", "[2001:db8::1]:443", "2001:db8::1").
func parseHostAddr(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	addr, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap().WithZone("")
}

// xForwardedFor lists the addresses of X-Forwarded-For headers, in order.
func xForwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for hop := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	return hops
}

// forwardedFor lists the for= addresses of RFC 7239 Forwarded headers, in order.
func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for elem := range strings.SplitSeq(v, ",") {
			for pair := range strings.SplitSeq(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					hops = append(hops, strings.Trim(val, `"`))
				}
			}
		}
	}
	return hops
}
