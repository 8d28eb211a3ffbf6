package emulator

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The API side, so that an SDK client can be driven end to end: GET /v1/models and
// /v1/models/{id}, answered only for an access token this emulator minted and that has not
// expired by its clock, sent as Authorization: Bearer with the OAuth beta, as the SDKs send it.
const (
	modelsPath = "/v1/models"
	oauthBeta  = "oauth-2025-04-20"
	// ModelID is the one model the emulator lists.
	ModelID = "claude-emulated-1"
)

// apiFront serves the API paths and passes everything else to the token endpoint, noting the
// expiry of every access token it mints.
type apiFront struct {
	s    *Server
	mu   sync.Mutex
	live map[string]time.Time // access token → expiry
}

func newAPIFront(s *Server) *apiFront { return &apiFront{s: s, live: map[string]time.Time{}} }

func (a *apiFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == modelsPath || strings.HasPrefix(r.URL.Path, modelsPath+"/"):
		a.models(w, r)
	case r.URL.Path == tokenPath:
		a.exchange(w, r)
	default:
		a.s.ServeHTTP(w, r)
	}
}

// exchange answers as the token endpoint does and records a minted token's expiry.
func (a *apiFront) exchange(w http.ResponseWriter, r *http.Request) {
	rec := &captured{header: http.Header{}, code: http.StatusOK}
	a.s.ServeHTTP(rec, r)
	var minted struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if rec.code == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &minted) == nil {
		a.mu.Lock()
		a.live[minted.AccessToken] = a.s.clock().Add(time.Duration(minted.ExpiresIn) * time.Second)
		a.mu.Unlock()
	}
	maps.Copy(w.Header(), rec.header)
	w.WriteHeader(rec.code)
	_, _ = w.Write(rec.body.Bytes())
}

// captured keeps a response so that the front can read it before passing it on.
type captured struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header         { return c.header }
func (c *captured) WriteHeader(code int)        { c.code = code }
func (c *captured) Write(b []byte) (int, error) { return c.body.Write(b) }

func (a *apiFront) models(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method != http.MethodGet:
		writeError(w, http.StatusMethodNotAllowed, errInvalidReq, "Method not allowed: use GET")
	case !a.authorized(r):
		writeError(w, http.StatusUnauthorized, errAuth, "invalid or expired access token")
	case !strings.Contains(r.Header.Get("anthropic-beta"), oauthBeta):
		writeError(w, http.StatusBadRequest, errInvalidReq, "anthropic-beta: an OAuth access token needs "+oauthBeta)
	case r.URL.Path == modelsPath:
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{model()}, "has_more": false, "first_id": ModelID, "last_id": ModelID})
	case strings.TrimPrefix(r.URL.Path, modelsPath+"/") == ModelID:
		writeJSON(w, http.StatusOK, model())
	default:
		writeError(w, http.StatusNotFound, "not_found_error", "model not found")
	}
}

func (a *apiFront) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	now := a.s.clock()
	a.mu.Lock()
	defer a.mu.Unlock()
	expiry, ok := a.live[token]
	return ok && now.Before(expiry)
}

func model() map[string]any {
	return map[string]any{"type": "model", "id": ModelID, "display_name": "Emulated model", "created_at": "2026-01-01T00:00:00Z"}
}

// CloseEachConnection makes the emulator close every connection after one answer, for clients
// that must not keep idle connections (inside a testing/synctest bubble, a goroutine waiting on
// one keeps the fake clock from advancing).
func (s *Server) CloseEachConnection() { s.srv.SetKeepAlivesEnabled(false) }
