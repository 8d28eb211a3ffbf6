package emulator

import (
	"context"
	"net/http"
	"strings"
	"time"
)

type requestIDKey struct{}

// middleware counts requests per kind, tracks concurrency, and applies the injected latency
// and outage. Every answer carries X-authentik-id, as authentik's do (not in the generic mode).
func (e *Emulator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.enter()
		defer e.inFlight.Add(-1)
		latency, down := e.record(e.pathKind(r.URL.Path))
		id := randomHex(16)
		if !e.generic {
			w.Header().Set("X-authentik-id", id)
		}
		if !sleep(r.Context(), latency) {
			return // the client gave up
		}
		if down {
			http.Error(w, "503 Service Unavailable (emulated authentik outage)", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func (e *Emulator) enter() {
	n := e.inFlight.Add(1)
	for {
		max := e.maxInFlight.Load()
		if n <= max || e.maxInFlight.CompareAndSwap(max, n) {
			return
		}
	}
}

func (e *Emulator) record(kind string) (time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts[kind]++
	return e.latency, e.down
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// sleep waits d unless ctx ends first; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// pathKind names the endpoint a path belongs to, for Counts.
func (e *Emulator) pathKind(path string) string {
	if e.generic {
		return genericPathKind(path)
	}
	switch {
	case path == "/application/o/authorize/" || path == "/emulator/login/":
		return "authorize"
	case path == "/application/o/userinfo/":
		return "userinfo"
	case path == "/application/o/token/":
		return "token"
	case strings.HasSuffix(path, "/.well-known/openid-configuration"):
		return "discovery"
	case strings.HasPrefix(path, "/application/o/") && strings.HasSuffix(path, "/jwks/"):
		return "jwks"
	case strings.HasPrefix(path, "/api/"):
		return "api"
	case strings.HasPrefix(path, "/application/o/"):
		return "redirect"
	}
	return "other"
}

func genericPathKind(path string) string {
	switch {
	case strings.HasSuffix(path, "/.well-known/openid-configuration"):
		return "discovery"
	case strings.HasSuffix(path, "/keys"):
		return "jwks"
	case strings.HasSuffix(path, "/token"):
		return "token"
	}
	return "other"
}
