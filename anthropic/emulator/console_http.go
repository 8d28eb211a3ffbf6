package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Wire facts of the management API.
const (
	consolePrefix  = "/v1/organizations/"
	apiVersion     = "2023-06-01"
	adminKeyPrefix = "sk-ant-admin"
	maxConsoleBody = 1 << 20
	defaultLimit   = 20
	maxLimit       = 100
	maxWSLimit     = 1000
	errPermission  = "permission_error"
	errNotFound    = "not_found_error"
)

// apiError is an error answer of the management API.
type apiError struct {
	status  int
	errType string
	msg     string
}

func badField(field, format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, errInvalidReq, field + ": " + fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) *apiError {
	return &apiError{http.StatusForbidden, errPermission, fmt.Sprintf(format, args...)}
}

func notFound(kind, id string) *apiError {
	return &apiError{http.StatusNotFound, errNotFound, fmt.Sprintf("%s %s not found", kind, id)}
}

func conflict(field, format string, args ...any) *apiError {
	return &apiError{http.StatusConflict, errInvalidReq, field + ": " + fmt.Sprintf(format, args...)}
}

// call is one authenticated management API request.
type call struct {
	r     *http.Request
	token ConsoleToken
	now   time.Time
	c     *console
}

type consoleHandler func(*call) (any, *apiError)

func (s *Server) consoleMux() *http.ServeMux {
	mux := http.NewServeMux()
	routes := map[string]consoleHandler{
		"GET /v1/organizations/me":                                              getMe,
		"GET /v1/organizations/workspaces":                                      listWorkspaces,
		"GET /v1/organizations/service_accounts":                                listAccounts,
		"POST /v1/organizations/service_accounts":                               createAccount,
		"GET /v1/organizations/service_accounts/{id}":                           getAccount,
		"POST /v1/organizations/service_accounts/{id}":                          updateAccount,
		"POST /v1/organizations/service_accounts/{id}/archive":                  archiveAccount,
		"GET /v1/organizations/service_accounts/{id}/workspaces":                listMemberships,
		"POST /v1/organizations/service_accounts/{id}/workspaces":               addMembership,
		"DELETE /v1/organizations/service_accounts/{id}/workspaces/{workspace}": removeMembership,
		"GET /v1/organizations/federation_issuers":                              listIssuers,
		"POST /v1/organizations/federation_issuers":                             createIssuer,
		"GET /v1/organizations/federation_issuers/{id}":                         getIssuer,
		"POST /v1/organizations/federation_issuers/{id}":                        updateIssuer,
		"POST /v1/organizations/federation_issuers/{id}/archive":                archiveIssuer,
		"GET /v1/organizations/federation_rules":                                listRules,
		"POST /v1/organizations/federation_rules":                               createRule,
		"GET /v1/organizations/federation_rules/{id}":                           getRule,
		"POST /v1/organizations/federation_rules/{id}":                          updateRule,
		"POST /v1/organizations/federation_rules/{id}/archive":                  archiveRule,
		"GET /v1/organizations/federation_rules/{id}/workspaces":                listRuleWorkspaces,
		"POST /v1/organizations/federation_rules/{id}/workspaces":               enableRuleWorkspace,
		"DELETE /v1/organizations/federation_rules/{id}/workspaces/{workspace}": disableRuleWorkspace,
	}
	for pattern, h := range routes {
		mux.Handle(pattern, s.consoleEndpoint(h))
	}
	return mux
}

// serveConsole answers a request under /v1/organizations/.
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) {
	s.cmu.Lock()
	s.console.requestSeq++
	reqID := fmt.Sprintf("req_emu_%06d", s.console.requestSeq)
	s.cmu.Unlock()
	w.Header().Set("request-id", reqID)
	mux := s.consoleRoutes()
	if _, pattern := mux.Handler(r); pattern == "" {
		writeConsoleError(w, reqID, &apiError{http.StatusNotFound, errNotFound, "Not found: " + r.Method + " " + r.URL.Path})
		return
	}
	mux.ServeHTTP(w, r) // sets the path values

}

func (s *Server) consoleRoutes() *http.ServeMux {
	s.muxOnce.Do(func() { s.mux = s.consoleMux() })
	return s.mux
}

func (s *Server) consoleEndpoint(h consoleHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := w.Header().Get("request-id")
		now := s.clock()
		s.cmu.Lock()
		defer s.cmu.Unlock()
		tok, e := s.console.authenticate(r, now)
		if e == nil {
			var out any
			out, e = h(&call{r: r, token: tok, now: now, c: s.console})
			if e == nil {
				writeJSON(w, http.StatusOK, out)
				return
			}
		}
		writeConsoleError(w, reqID, e)
	})
}

// authenticate admits only an unexpired OAuth bearer token with the org:admin scope.
func (c *console) authenticate(r *http.Request, now time.Time) (ConsoleToken, *apiError) {
	if r.Header.Get("anthropic-version") == "" {
		return ConsoleToken{}, badField("anthropic-version", "header is required")
	}
	bearer, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if key := r.Header.Get("x-api-key"); key != "" && !hasBearer {
		what := "API keys"
		if strings.HasPrefix(key, adminKeyPrefix) {
			what = "Admin API keys"
		}
		return ConsoleToken{}, &apiError{http.StatusUnauthorized, errAuth, what + " are not accepted by this endpoint; use an OAuth access token with the org:admin scope"}
	}
	if !hasBearer || bearer == "" {
		return ConsoleToken{}, &apiError{http.StatusUnauthorized, errAuth, "authorization: a Bearer OAuth access token is required"}
	}
	tok, ok := c.tokens[bearer]
	switch {
	case !ok:
		return tok, &apiError{http.StatusUnauthorized, errAuth, "Invalid bearer token"}
	case !now.Before(tok.ExpiresAt):
		return tok, &apiError{http.StatusUnauthorized, errAuth, "OAuth token has expired. Please obtain a new token or refresh your existing token."}
	case !slices.Contains(tok.Scopes, scopeOrgAdmin):
		return tok, forbidden("OAuth token does not meet scope requirement %s", scopeOrgAdmin)
	}
	return tok, nil
}

func writeConsoleError(w http.ResponseWriter, reqID string, e *apiError) {
	writeJSON(w, e.status, map[string]any{
		"type":       "error",
		"error":      map[string]string{"type": e.errType, "message": e.msg},
		"request_id": reqID,
	})
}

// body is a request's JSON object, field by field.
type body map[string]json.RawMessage

func readBody(r *http.Request, allowed ...string) (body, *apiError) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxConsoleBody+1))
	if err != nil || len(data) > maxConsoleBody {
		return nil, badField("request body", "unreadable or larger than %d bytes", maxConsoleBody)
	}
	var b body
	if err := json.Unmarshal(data, &b); err != nil || b == nil {
		return nil, badField("request body", "must be a JSON object")
	}
	return b, b.only("", allowed)
}

// only refuses fields outside allowed; prefix names the enclosing object in messages.
func (b body) only(prefix string, allowed []string) *apiError {
	for k := range b {
		if !slices.Contains(allowed, k) {
			return badField(prefix+k, "Extra inputs are not permitted")
		}
	}
	return nil
}

func (b body) has(name string) bool { _, ok := b[name]; return ok }

// str decodes a string field; null reads as "". It reports whether the field was sent.
func (b body) str(prefix, name string, dst *string) (bool, *apiError) {
	raw, ok := b[name]
	if !ok || string(raw) == "null" {
		return ok, nil
	}
	if json.Unmarshal(raw, dst) != nil {
		return true, badField(prefix+name, "Input should be a valid string")
	}
	return true, nil
}

func (b body) integer(name string, dst *int) (bool, *apiError) {
	raw, ok := b[name]
	if !ok {
		return false, nil
	}
	if json.Unmarshal(raw, dst) != nil {
		return true, badField(name, "Input should be a valid integer")
	}
	return true, nil
}

func (b body) boolean(name string, dst *bool) (bool, *apiError) {
	raw, ok := b[name]
	if !ok {
		return false, nil
	}
	if json.Unmarshal(raw, dst) != nil {
		return true, badField(name, "Input should be a valid boolean")
	}
	return true, nil
}

func (b body) object(prefix, name string) (body, *apiError) {
	raw, ok := b[name]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var o body
	if json.Unmarshal(raw, &o) != nil || o == nil {
		return nil, badField(prefix+name, "Input should be a valid dictionary")
	}
	return o, nil
}

// listPage is the cursor-paginated list answer.
type listPage struct {
	Data     any     `json:"data"`
	NextPage *string `json:"next_page"`
}

// paginate cuts one page from items (already filtered and ordered) by the limit and page
// query parameters; the cursor is opaque to clients.
func paginate[T any](q map[string][]string, items []T) (listPage, *apiError) {
	limit, e := queryLimit(q, maxLimit)
	if e != nil {
		return listPage{}, e
	}
	start := 0
	if cur := first(q, "page"); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(raw), "offset:") || n < 0 || n > len(items) {
			return listPage{}, badField("page", "invalid page cursor")
		}
		start = n
	}
	end := min(start+limit, len(items))
	p := listPage{Data: append([]T{}, items[start:end]...)}
	if end < len(items) {
		next := base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
		p.NextPage = &next
	}
	return p, nil
}

func queryLimit(q map[string][]string, hi int) (int, *apiError) {
	v := first(q, "limit")
	if v == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > hi {
		return 0, badField("limit", "must be an integer between 1 and %d", hi)
	}
	return n, nil
}

func includeArchived(q map[string][]string) (bool, *apiError) {
	switch first(q, "include_archived") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, badField("include_archived", "must be true or false")
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// newestFirst orders objects by creation, newest first, keeping archived ones only if asked.
func newestFirst[T any](all map[string]*T, seq func(*T) int64, archived func(*T) bool, withArchived bool) []T {
	var ptrs []*T
	for _, p := range all {
		if withArchived || !archived(p) {
			ptrs = append(ptrs, p)
		}
	}
	slices.SortFunc(ptrs, func(a, b *T) int { return int(seq(b) - seq(a)) })
	out := make([]T, len(ptrs))
	for i, p := range ptrs {
		out[i] = *p
	}
	return out
}

func getMe(c *call) (any, *apiError) {
	return map[string]string{"id": c.c.orgID, "name": c.c.orgName, "type": "organization"}, nil
}

// listWorkspaces pages with after_id/before_id, unlike the other lists.
func listWorkspaces(c *call) (any, *apiError) {
	q := c.r.URL.Query()
	withArchived, e := includeArchived(q)
	if e != nil {
		return nil, e
	}
	limit, e := queryLimit(q, maxWSLimit)
	if e != nil {
		return nil, e
	}
	all := newestFirst(c.c.workspaces, func(w *Workspace) int64 { return w.seq }, func(w *Workspace) bool { return w.ArchivedAt != nil }, withArchived)
	lo, hi := 0, len(all)
	if id := first(q, "after_id"); id != "" {
		lo = slices.IndexFunc(all, func(w Workspace) bool { return w.ID == id }) + 1
	}
	if id := first(q, "before_id"); id != "" {
		hi = max(slices.IndexFunc(all, func(w Workspace) bool { return w.ID == id }), 0)
		lo = max(lo, hi-limit)
	}
	end := min(lo+limit, hi)
	page := append([]Workspace{}, all[lo:max(lo, end)]...)
	out := map[string]any{"data": page, "has_more": end < hi || first(q, "before_id") != "" && lo > 0, "first_id": nil, "last_id": nil}
	if len(page) > 0 {
		out["first_id"], out["last_id"] = page[0].ID, page[len(page)-1].ID
	}
	return out, nil
}
