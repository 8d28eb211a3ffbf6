package refresh_test

import (
	"context"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/refresh"
)

// TestObserveHearsEveryAttempt: the observer hears each success with the token's expiry and the
// next refresh, and each failure with the consecutive count, which a success resets.
func TestObserveHearsEveryAttempt(t *testing.T) {
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mintSource{clock: clock, lifetime: 10 * time.Minute, fail: func(n int) bool { return n == 2 || n == 3 }}
	r, _ := newRefresher(t, src, clock)
	var seen []refresh.Attempt
	r.Observe = func(a refresh.Attempt) {
		seen = append(seen, a)
		if len(seen) == 4 {
			cancel()
		}
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		ok       bool
		failures int
	}{{true, 0}, {false, 1}, {false, 2}, {true, 0}}
	if len(seen) != len(want) {
		t.Fatalf("%d attempts observed: %+v", len(seen), seen)
	}
	for i, w := range want {
		a := seen[i]
		if a.OK != w.ok || a.Failures != w.failures || !a.Next.After(a.At) {
			t.Errorf("attempt %d: %+v, want ok=%v failures=%d and a next refresh after it", i+1, a, w.ok, w.failures)
		}
		if a.OK && a.Expiry.Sub(a.At) != 10*time.Minute {
			t.Errorf("attempt %d: expiry %v for a 10-minute token issued at %v", i+1, a.Expiry, a.At)
		}
	}
}
