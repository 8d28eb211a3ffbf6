package main

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// servedRun is a `wifwiz serve` running in the background of a test.
type servedRun struct {
	stdout, stderr syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// servingURL matches the URL serve prints.
const servingURL = `serving on (\S+)`

// startServe runs `wifwiz serve` with args and the environment vars, and waits for stdout to
// print a line matching pattern, whose one group (a URL) it returns. The server is stopped at
// the end of the test if stop has not been called.
func startServe(t *testing.T, vars map[string]string, pattern string, args ...string) (*servedRun, string) {
	t.Helper()
	return startServeWith(t, func(e *env) { e.getenv = func(k string) string { return vars[k] } }, pattern, args...)
}

// startServeWith is startServe with the environment set by setEnv (stdout and stderr are the run's).
func startServeWith(t *testing.T, setEnv func(*env), pattern string, args ...string) (*servedRun, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &servedRun{cancel: cancel, done: make(chan int, 1)}
	e := env{stdout: &s.stdout, stderr: &s.stderr, getenv: func(string) string { return "" }}
	setEnv(&e)
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), e)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
		}
	})
	re := regexp.MustCompile(pattern)
	deadline := time.After(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			return s, m[1]
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve ended with %d: %s", code, s.stderr.String())
		case <-deadline:
			t.Fatalf("nothing matching %s printed; stderr: %s", pattern, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop cancels the context as SIGTERM does and expects exit 0 within 15 s.
func (s *servedRun) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		if code != exitOK {
			t.Fatalf("exit %d after shutdown; stderr: %s", code, s.stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// getBody fetches url and returns its status and body.
func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	return getWith(t, http.DefaultClient, url)
}

// TestServeStartsAndShutsDownGracefully runs `wifwiz serve` on a free loopback port, loads the
// list page at the printed URL, then cancels the context as SIGTERM does and expects exit 0.
func TestServeStartsAndShutsDownGracefully(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "wifwiz.db")
	s, url := startServe(t, nil, `serving on (http://127\.0\.0\.1:\d+/)`, "--addr", "127.0.0.1:0", "--db", db)
	if code, body := getBody(t, url); code != http.StatusOK || !strings.Contains(body, "Start the wizard") {
		t.Fatalf("list page: %d", code)
	}
	s.stop(t)
	if !strings.Contains(s.stderr.String(), "shutting down") {
		t.Errorf("no shutdown log: %s", s.stderr.String())
	}
}
