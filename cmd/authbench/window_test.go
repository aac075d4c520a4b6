package main

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestWindows checks that results land in the window of their send time, that
// an empty window in the middle is kept, and that every non-2xx answer counts
// as an error of its window.
func TestWindows(t *testing.T) {
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	w := windows{size: 10 * time.Second, start: start}
	add := func(after time.Duration, code uint16) {
		w.add(&vegeta.Result{Timestamp: start.Add(after), Code: code, Latency: time.Millisecond})
	}
	add(0, 200)
	add(9*time.Second, 200)
	add(25*time.Second, 503)
	add(29*time.Second, 200)
	add(31*time.Second, 0)
	got := w.summary()
	if len(got) != 4 {
		t.Fatalf("%d windows, want 4: %+v", len(got), got)
	}
	for i, want := range []struct {
		requests uint64
		errors   int
	}{{2, 0}, {0, 0}, {2, 1}, {1, 1}} {
		if got[i].Requests != want.requests || got[i].Errors != want.errors {
			t.Errorf("window %d: %d requests, %d errors; want %d, %d", i, got[i].Requests, got[i].Errors, want.requests, want.errors)
		}
		if s := start.Add(time.Duration(i) * 10 * time.Second); !got[i].Start.Equal(s) {
			t.Errorf("window %d starts %s, want %s", i, got[i].Start, s)
		}
	}
	if got[2].Status["503"] != 1 {
		t.Errorf("window 2 status %v, want one 503", got[2].Status)
	}

	off := windows{start: start}
	off.add(&vegeta.Result{Timestamp: start, Code: 200})
	if s := off.summary(); s != nil {
		t.Errorf("size 0 collected %v", s)
	}
}
