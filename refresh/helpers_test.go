package refresh_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/refresh"
)

// fakeClock jumps forward by d whenever someone waits for d, so a Run loop goes at full speed
// while every wait is recorded.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// fakeJWT is JWT-shaped (not signed): the refresher reads exp/iat without verifying.
func fakeJWT(iat, exp time.Time, extra string) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"iat": iat.Unix(), "exp": exp.Unix(), "jti": fmt.Sprint(iat.UnixNano()), "pad": extra})
	return enc([]byte(`{"alg":"RS256","kid":"k1"}`)) + "." + enc(claims) + "." + enc([]byte("signature-"+extra))
}

// mintSource mints tokens of a given lifetime at the clock's time. fail says, for the n-th fetch
// (1-based), whether to fail instead; onFetch runs first and sees n.
type mintSource struct {
	mu       sync.Mutex
	clock    refresh.Clock
	lifetime time.Duration
	pad      string
	fail     func(n int) bool
	onFetch  func(n int)
	n        int
	minted   []string
}

func (s *mintSource) Fetch(ctx context.Context) (refresh.Token, error) {
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	if s.onFetch != nil {
		s.onFetch(n)
	}
	if s.fail != nil && s.fail(n) {
		return refresh.Token{}, fmt.Errorf("authentik unreachable (fetch %d)", n)
	}
	now := s.clock.Now()
	raw := fakeJWT(now, now.Add(s.lifetime), s.pad)
	s.mu.Lock()
	s.minted = append(s.minted, raw)
	s.mu.Unlock()
	return refresh.TokenFromJWT(raw)
}

func (s *mintSource) Minted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.minted...)
}

// logBuffer collects slog output for the no-token-in-logs checks.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// assertNoTokens fails when any token, or its payload or signature part, appears in the logs.
func assertNoTokens(t *testing.T, logs string, tokens []string) {
	t.Helper()
	for _, tok := range tokens {
		parts := strings.Split(tok, ".")
		for _, s := range []string{tok, parts[1], parts[2]} {
			if strings.Contains(logs, s) {
				t.Fatalf("a token (or part of one) appears in the logs:\n%s", logs)
			}
		}
	}
}

// rawJWT wraps a payload in a JWT-shaped string.
func rawJWT(payload string) string {
	return "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
}
