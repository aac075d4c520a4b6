package main

import (
	"net/http"
	"testing"
	"time"
)

// ACCOUNT_PAGE turns the account page at / on (the default) and off.
func TestAccountPageSetting(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		setting string
		want    int
	}{{"", http.StatusOK}, {"false", http.StatusNotFound}} {
		t.Run("ACCOUNT_PAGE="+tc.setting, func(t *testing.T) {
			base := startServer(t, map[string]string{"ACCOUNT_PAGE": tc.setting})
			c := &http.Client{Timeout: 10 * time.Second}
			resp, err := c.Get(base + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET / = %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}
