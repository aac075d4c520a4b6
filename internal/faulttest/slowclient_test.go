package faulttest

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fault 6, at the socket: slow clients are cut off by the read timeouts, and
// bodies over the limit get 413, against the real binary.
func TestSlowClientsAndBigBodies(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inst := start(t, dir, map[string]string{
		"DATABASE_URL": filepath.Join(dir, "authapi.db"), "HTTP_READ_TIMEOUT": "1s", "MAX_BODY_BYTES": "4096",
	})
	addr := strings.TrimPrefix(inst.base, "http://")

	cases := map[string]struct {
		head    string // sent at once
		trickle string // then one byte every 200ms
	}{
		"headers never finish": {"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n", strings.Repeat("X-Slow: a\r\n", 50)},
		"body never finishes":  {"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n", strings.Repeat("a", 500)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := conn.Write([]byte(tc.head)); err != nil {
				t.Fatal(err)
			}
			// Trickle until the server answers or closes; it must within ~1s.
			closed := make(chan string, 1)
			go func() {
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					closed <- "closed: " + err.Error()
					return
				}
				resp.Body.Close()
				closed <- fmt.Sprint("answered ", resp.StatusCode)
			}()
			for i := 0; ; i++ {
				select {
				case how := <-closed:
					elapsed := time.Since(start)
					t.Logf("cut off after %s (%s)", elapsed.Round(10*time.Millisecond), how)
					if elapsed > 3*time.Second || strings.HasPrefix(how, "answered 5") {
						t.Errorf("slow client held the connection %s, %s", elapsed, how)
					}
					return
				case <-time.After(200 * time.Millisecond):
				}
				if i >= len(tc.trickle) || time.Since(start) > 10*time.Second {
					t.Fatalf("server still waiting after %s", time.Since(start))
				}
				_, _ = conn.Write([]byte{tc.trickle[i]})
			}
		})
	}

	t.Run("body over the limit", func(t *testing.T) {
		t.Parallel()
		c := newClient(10 * time.Second)
		big := `{"email":"` + strings.Repeat("a", 8192) + `@example.com","password":"password123"}`
		r := c.must(t, http.StatusRequestEntityTooLarge, "POST", inst.base+"/api/auth/login", big, "")
		if !strings.Contains(string(r.body), "Request body too large") {
			t.Errorf("413 body %s", r.body)
		}
	})
}
