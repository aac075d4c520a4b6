package httpapi

import (
	"net/netip"
	"testing"
	"time"
)

// A flood of new addresses that fills the limiter must not reset the limit of
// an address it is refusing: the sweep forgets the buckets that could still
// send, not the throttled ones.
func TestIPLimiterKeepsThrottledUnderFlood(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	l := newIPLimiter(2, func() time.Time { return now })
	l.max = 10
	held := netip.MustParseAddr("198.51.100.7")
	for range 2 {
		if ok, _ := l.allow(held); !ok {
			t.Fatal("a request within the burst was refused")
		}
	}
	if ok, _ := l.allow(held); ok {
		t.Fatal("the third request in a minute at 2/min was allowed")
	}
	for i := range 3 * l.max {
		ip := netip.AddrFrom4([4]byte{203, 0, 113, byte(i)})
		if ok, _ := l.allow(ip); !ok {
			t.Fatalf("a new address (%s) was refused", ip)
		}
		if len(l.buckets) > l.max {
			t.Fatalf("%d buckets, more than the %d allowed", len(l.buckets), l.max)
		}
	}
	if ok, _ := l.allow(held); ok {
		t.Error("the flood of new addresses reset the throttled address's limit")
	}
}
