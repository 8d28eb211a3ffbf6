package refresh_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/refresh"
)

func newRefresher(t *testing.T, src refresh.Source, clock refresh.Clock) (*refresh.Refresher, *logBuffer) {
	t.Helper()
	logger, logs := newLogger()
	return &refresh.Refresher{
		Source: src, Out: filepath.Join(t.TempDir(), "identity-token"), Clock: clock,
		Backoff: refresh.Backoff{Rand: func() float64 { return 1 }}, Logger: logger,
	}, logs
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOnce(t *testing.T) {
	clock := newFakeClock()
	src := &mintSource{clock: clock, lifetime: time.Hour}
	r, logs := newRefresher(t, src, clock)
	if err := r.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, r.Out); got != src.Minted()[0]+"\n" {
		t.Errorf("file = %q, want the minted token", got)
	}
	assertMode0600(t, r.Out)
	if !strings.Contains(logs.String(), "identity token refreshed") {
		t.Errorf("no refresh logged:\n%s", logs)
	}
	assertNoTokens(t, logs.String(), src.Minted())
}

func TestOnceFailsAndKeepsTheFile(t *testing.T) {
	clock := newFakeClock()
	now := clock.Now()
	cases := map[string]refresh.SourceFunc{
		"source error": func(context.Context) (refresh.Token, error) { return refresh.Token{}, errors.New("invalid_client") },
		"empty token": func(context.Context) (refresh.Token, error) {
			return refresh.Token{Raw: " \n", Expiry: now.Add(time.Hour)}, nil
		},
		"expired token": func(context.Context) (refresh.Token, error) { return refresh.Token{Raw: "a.b.c", Expiry: now}, nil },
		"no expiry":     func(context.Context) (refresh.Token, error) { return refresh.Token{Raw: "a.b.c"}, nil },
		"whitespace": func(context.Context) (refresh.Token, error) {
			return refresh.Token{Raw: "a.b\n.c", Expiry: now.Add(time.Hour)}, nil
		},
		"oversized": func(context.Context) (refresh.Token, error) {
			return refresh.Token{Raw: strings.Repeat("a", 16<<10+1), Expiry: now.Add(time.Hour)}, nil
		},
		"issued in the future": func(context.Context) (refresh.Token, error) {
			return refresh.Token{Raw: "a.b.c", IssuedAt: now.Add(time.Hour), Expiry: now.Add(2 * time.Hour)}, nil
		},
		"exp before iat": func(context.Context) (refresh.Token, error) {
			return refresh.Token{Raw: "a.b.c", IssuedAt: now.Add(20 * time.Second), Expiry: now.Add(10 * time.Second)}, nil
		},
		"longer than Anthropic accepts": func(context.Context) (refresh.Token, error) {
			return refresh.Token{Raw: "a.b.c", IssuedAt: now, Expiry: now.Add(49*time.Hour + time.Second)}, nil
		},
		"absurd exp": func(context.Context) (refresh.Token, error) {
			return refresh.TokenFromJWT(rawJWT(`{"iat":1780000000,"exp":1e300}`))
		},
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			r, logs := newRefresher(t, src, clock)
			if err := r.Once(context.Background()); err == nil {
				t.Fatal("Once succeeded")
			}
			if _, err := os.Stat(r.Out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a file was written: %v", err)
			}
			old := fakeJWT(now, now.Add(time.Hour), "old")
			if err := refresh.WriteFile(r.Out, []byte(old)); err != nil {
				t.Fatal(err)
			}
			if err := r.Once(context.Background()); err == nil || readFile(t, r.Out) != old {
				t.Errorf("Once = %v and changed the file", err)
			}
			if !strings.Contains(logs.String(), "refresh failed") {
				t.Errorf("failure not logged:\n%s", logs)
			}
		})
	}
}

func TestRunMisconfigured(t *testing.T) {
	src := &mintSource{clock: newFakeClock(), lifetime: time.Hour}
	for name, r := range map[string]*refresh.Refresher{
		"no source":      {Out: "x"},
		"no file":        {Source: src},
		"share above":    {Source: src, Out: "x", Policy: refresh.Policy{RefreshAt: 1.5}},
		"share NaN":      {Source: src, Out: "x", Policy: refresh.Policy{RefreshAt: math.NaN()}},
		"share tiny":     {Source: src, Out: "x", Policy: refresh.Policy{RefreshAt: 1e-9}},
		"margin":         {Source: src, Out: "x", Policy: refresh.Policy{MinBeforeExpiry: -time.Second}},
		"rule too short": {Source: src, Out: "x", Policy: refresh.Policy{RuleLifetime: 150 * time.Second}},
		"rule too long":  {Source: src, Out: "x", Policy: refresh.Policy{RuleLifetime: 25 * time.Hour}},
	} {
		if err := r.Run(context.Background()); err == nil {
			t.Errorf("%s: Run accepted it", name)
		}
		if err := r.Once(context.Background()); err == nil {
			t.Errorf("%s: Once accepted it", name)
		}
	}
	if len(src.Minted()) != 0 {
		t.Errorf("a misconfigured refresher asked the source for %d tokens", len(src.Minted()))
	}
}

// TestRunReplacesBeforeExpiry checks the schedule and that at every refresh the token on disk
// is still valid.
func TestRunReplacesBeforeExpiry(t *testing.T) {
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mintSource{clock: clock, lifetime: 10 * time.Minute}
	r, logs := newRefresher(t, src, clock)
	var problems []string
	src.onFetch = func(n int) {
		if n > 1 {
			if tok, err := refresh.ReadTokenFile(r.Out); err != nil || !tok.Expiry.After(clock.Now()) {
				problems = append(problems, "file missing or expired at a refresh")
			}
		}
		if n == 6 {
			cancel()
		}
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// min(half of 10 m, 10 m − 2 m) = 5 m between refreshes.
	want := slices.Repeat([]time.Duration{5 * time.Minute}, 5)
	if got := clock.Waits(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	assertNoTokens(t, logs.String(), src.Minted())
}

func TestRunOutageKeepsTokenAndRecovers(t *testing.T) {
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mintSource{clock: clock, lifetime: time.Hour, fail: func(n int) bool { return n >= 2 && n <= 6 || n == 8 }}
	r, logs := newRefresher(t, src, clock)
	var onDiskDuringOutage []string
	src.onFetch = func(n int) {
		if n >= 2 && n <= 7 {
			onDiskDuringOutage = append(onDiskDuringOutage, readFile(t, r.Out))
		}
		if n == 8 {
			cancel()
		}
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	minted := src.Minted()
	if len(minted) != 2 {
		t.Fatalf("minted %d tokens, want 2", len(minted))
	}
	for i, content := range onDiskDuringOutage {
		if content != minted[0]+"\n" {
			t.Fatalf("fetch %d: the file no longer holds the first token", i+2)
		}
	}
	if got := readFile(t, r.Out); got != minted[1]+"\n" {
		t.Errorf("after recovery the file holds %q, want the second token", got)
	}
	want := []time.Duration{30 * time.Minute, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Minute}
	if got := clock.Waits(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	out := logs.String()
	if n := strings.Count(out, "identity token refresh failed"); n != 5 {
		t.Errorf("%d failures logged, want the 5 of the outage (not the one cut short by shutdown):\n%s", n, out)
	}
	if !strings.Contains(out, "on_disk=\"valid until") || !strings.Contains(out, "retry_at=") {
		t.Errorf("failure lines lack the on-disk state or retry time:\n%s", out)
	}
	assertNoTokens(t, out, minted)
}

func TestRunSchedulesFromTokenOnDisk(t *testing.T) {
	clock := newFakeClock()
	now := clock.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mintSource{clock: clock, lifetime: time.Hour, onFetch: func(int) { cancel() }}
	r, logs := newRefresher(t, src, clock)
	if err := refresh.WriteFile(r.Out, []byte(fakeJWT(now.Add(-time.Minute), now.Add(9*time.Minute), "disk"))); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Refresh at iat + 5 m, 4 m from now; the source is not asked before.
	if got := clock.Waits(); !slices.Equal(got, []time.Duration{4 * time.Minute}) {
		t.Errorf("waits = %v, want [4m]", got)
	}
	if !strings.Contains(logs.String(), "valid identity token already on disk") {
		t.Errorf("start from disk not logged:\n%s", logs)
	}
}

func TestRunRefreshesAtOnceWhenTokenOnDiskExpired(t *testing.T) {
	clock := newFakeClock()
	now := clock.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mintSource{clock: clock, lifetime: time.Hour, onFetch: func(n int) {
		if n == 2 {
			cancel()
		}
	}}
	r, _ := newRefresher(t, src, clock)
	if err := refresh.WriteFile(r.Out, []byte(fakeJWT(now.Add(-time.Hour), now.Add(-time.Second), "disk"))); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := clock.Waits(); !slices.Equal(got, []time.Duration{30 * time.Minute}) {
		t.Errorf("waits = %v, want the first refresh at once, then 30m", got)
	}
}

// TestReaderNeverSeesPartialFile runs hundreds of refreshes of large tokens while another
// goroutine reads the file as fast as it can.
func TestReaderNeverSeesPartialFile(t *testing.T) {
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mintSource{clock: clock, lifetime: 10 * time.Minute, pad: strings.Repeat("p", 5<<10)}
	src.onFetch = func(n int) {
		if n == 400 {
			cancel()
		}
	}
	r, _ := newRefresher(t, src, clock)

	var wg sync.WaitGroup
	done := make(chan struct{})
	reads, bad := 0, []string(nil)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			b, err := os.ReadFile(r.Out)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			reads++
			content := string(b)
			if err != nil || !strings.HasSuffix(content, "\n") || !slices.Contains(src.Minted(), strings.TrimSuffix(content, "\n")) {
				bad = append(bad, content[:min(len(content), 40)])
			}
		}
	}()
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	close(done)
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d of %d reads saw a partial, empty or unknown file, e.g. %q", len(bad), reads, bad[0])
	}
	if reads == 0 {
		t.Fatal("the reader never read the file")
	}
	assertOnlyFile(t, filepath.Dir(r.Out), filepath.Base(r.Out))
}

// TestRunFollowsRuleLifetime: with hour-long identity tokens and a 15-minute rule, Anthropic
// mints 900 s access tokens and the SDKs exchange again after 780 s, so the file is rewritten
// every 900 − 120 − 30 = 750 s, not every 30 minutes.
func TestRunFollowsRuleLifetime(t *testing.T) {
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mintSource{clock: clock, lifetime: time.Hour, onFetch: func(n int) {
		if n == 5 {
			cancel()
		}
	}}
	r, logs := newRefresher(t, src, clock)
	r.Policy.RuleLifetime = 15 * time.Minute
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := slices.Repeat([]time.Duration{750 * time.Second}, 4)
	if got := clock.Waits(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	if !strings.Contains(logs.String(), `bound="rule's token lifetime"`) || !strings.Contains(logs.String(), "minted=15m0s") {
		t.Errorf("the refresh lines do not say what set the interval:\n%s", logs)
	}
}

// TestRunRefusesAnImpossibleScheduleAtStart: 100-second identity tokens would have to be
// replaced 120 s before they expire, under the 30 s floor. Run stops before writing, with the numbers; with Force
// it writes every 30 s and logs the problem at each refresh.
func TestRunRefusesAnImpossibleScheduleAtStart(t *testing.T) {
	clock := newFakeClock()
	src := &mintSource{clock: clock, lifetime: 100 * time.Second}
	r, _ := newRefresher(t, src, clock)
	err := r.Run(context.Background())
	var se *refresh.ScheduleError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "valid for 100 s") || !strings.Contains(err.Error(), "seconds=150") {
		t.Fatalf("Run = %v, want a ScheduleError with the numbers", err)
	}
	if _, err := os.Stat(r.Out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the token was written: %v", err)
	}
	if err := r.Once(context.Background()); !errors.As(err, &se) {
		t.Errorf("Once = %v, want the ScheduleError", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src.onFetch = func(n int) {
		if n == 6 {
			cancel()
		}
	}
	forced, logs := newRefresher(t, src, clock)
	forced.Force = true
	if err := forced.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := clock.Waits(), slices.Repeat([]time.Duration{30 * time.Second}, 3); !slices.Equal(got, want) {
		t.Errorf("forced waits = %v, want the 30 s floor: %v", got, want)
	}
	if n := strings.Count(logs.String(), "cannot keep every exchange possible"); n != 4 {
		t.Errorf("%d forced refreshes logged the problem, want 4:\n%s", n, logs)
	}
}
