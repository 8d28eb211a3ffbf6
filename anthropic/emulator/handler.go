package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Wire facts from docs/facts.md ("The exchange").
const (
	tokenPath     = "/v1/oauth/token"
	jwtBearer     = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	maxAssertion  = 16 << 10
	maxBody       = 64 << 10
	accessPrefix  = "sk-ant-oat01-"
	errInvalidReq = "invalid_request_error"
	errAuth       = "authentication_error"
)

// betaFeatures must all appear in the anthropic-beta header.
var betaFeatures = []string{"oauth-2025-04-20", "oidc-federation-2026-04-01"}

// exchangeRequest holds the body fields; nil means absent.
type exchangeRequest struct {
	GrantType        *string `json:"grant_type"`
	Assertion        *string `json:"assertion"`
	FederationRuleID *string `json:"federation_rule_id"`
	OrganizationID   *string `json:"organization_id"`
	ServiceAccountID *string `json:"service_account_id"`
	WorkspaceID      *string `json:"workspace_id"`
}

// badRequest is a 400 whose message names the field at fault.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.count(func(st *Stats) { st.Requests++ })
	if strings.HasPrefix(r.URL.Path, consolePrefix) {
		s.serveConsole(w, r)
		return
	}
	if r.URL.Path != tokenPath {
		s.reject(w, http.StatusNotFound, "not_found_error", "Not found")
		return
	}
	if r.Method != http.MethodPost {
		s.reject(w, http.StatusMethodNotAllowed, errInvalidReq, "Method not allowed: use POST")
		return
	}
	req, err := readRequest(r)
	if err != nil {
		s.reject(w, http.StatusBadRequest, errInvalidReq, err.Error())
		return
	}
	s.exchange(w, r, req)
}

func readRequest(r *http.Request) (exchangeRequest, error) {
	var req exchangeRequest
	if err := checkBeta(r.Header.Values("anthropic-beta")); err != nil {
		return req, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return req, badRequest{fmt.Sprintf("request body: unreadable or larger than %d bytes", maxBody)}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return req, badRequest{"request body: not a JSON object of string fields"}
	}
	return req, req.validate()
}

func checkBeta(values []string) error {
	var got []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			got = append(got, strings.TrimSpace(f))
		}
	}
	for _, f := range betaFeatures {
		if !slices.Contains(got, f) {
			return badRequest{fmt.Sprintf("anthropic-beta: header must include %s", f)}
		}
	}
	return nil
}

func (q exchangeRequest) validate() error {
	required := []struct {
		name string
		v    *string
	}{{"grant_type", q.GrantType}, {"assertion", q.Assertion}, {"federation_rule_id", q.FederationRuleID}, {"organization_id", q.OrganizationID}}
	for _, f := range required {
		if f.v == nil || *f.v == "" {
			return badRequest{f.name + ": Field required"}
		}
	}
	if *q.GrantType != jwtBearer {
		return badRequest{fmt.Sprintf("grant_type: must be %s", jwtBearer)}
	}
	if len(*q.Assertion) > maxAssertion {
		return badRequest{fmt.Sprintf("assertion: must be at most %d bytes", maxAssertion)}
	}
	return q.validateIDs()
}

func (q exchangeRequest) validateIDs() error {
	if !ruleIDPattern.MatchString(*q.FederationRuleID) {
		return badRequest{"federation_rule_id: must be a federation rule ID (fdrl_…)"}
	}
	if !uuidPattern.MatchString(*q.OrganizationID) {
		return badRequest{"organization_id: must be a UUID"}
	}
	if q.ServiceAccountID != nil && !serviceAcctPattern.MatchString(*q.ServiceAccountID) {
		return badRequest{"service_account_id: must be a service account ID (svac_…)"}
	}
	if q.WorkspaceID != nil && !workspacePattern.MatchString(*q.WorkspaceID) {
		return badRequest{"workspace_id: must be a workspace ID (wrkspc_…) or default"}
	}
	return nil
}

func (s *Server) exchange(w http.ResponseWriter, r *http.Request, q exchangeRequest) {
	id := *q.FederationRuleID
	rule, ok := s.rule(id)
	if !ok {
		rule, ok = s.consoleRule(id)
	}
	if !ok {
		s.deny(w, id, &denial{reason: DenyRule, detail: "no federation rule " + id})
		return
	}
	if d := rule.admits(q); d != nil {
		s.deny(w, id, d)
		return
	}
	c, d := s.checkAssertion(r.Context(), rule, *q.Assertion)
	if d != nil {
		s.deny(w, id, d)
		return
	}
	if d := s.consume(rule, c); d != nil {
		s.deny(w, id, d)
		return
	}
	s.issue(w, rule, c)
}

func (s *Server) rule(id string) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[id]
	return r, ok
}

// admits checks what the request says about the rule before its token is looked at.
func (r Rule) admits(q exchangeRequest) *denial {
	switch {
	case r.Archived:
		return &denial{reason: DenyRule, detail: "rule " + r.ID + " is archived", history: HistoryRuleArchived}
	case *q.OrganizationID != r.OrganizationID:
		return &denial{reason: DenyRule, detail: "rule " + r.ID + " belongs to another organization", history: HistoryOrganization}
	case q.ServiceAccountID != nil && *q.ServiceAccountID != r.ServiceAccountID:
		return &denial{reason: DenyRule, detail: "rule " + r.ID + " is for service account " + r.ServiceAccountID, history: HistoryServiceAccountID}
	}
	ws := ""
	if q.WorkspaceID != nil {
		ws = *q.WorkspaceID
	}
	if r.console != nil {
		return r.console.admits(r, ws)
	}
	if _, err := r.workspace(ws); err != nil {
		return &denial{reason: DenyWorkspace, detail: err.Error(), history: workspaceHistory(ws)}
	}
	return nil
}

func workspaceHistory(asked string) string {
	if asked == "" {
		return HistoryWorkspaceReq
	}
	return HistoryWorkspace
}

func (s *Server) issue(w http.ResponseWriter, rule Rule, c claims) {
	token := accessPrefix + randomString(32)
	now := s.clock()
	lifetime := rule.minted(c.Exp.Time(), now)
	s.mu.Lock()
	s.accessTk = append(s.accessTk, token)
	s.stats.Issued++
	s.mu.Unlock()
	// A minted token is a federated caller of the management API, with the rule's scope.
	s.withConsole(func(con *console) {
		con.tokens[token] = ConsoleToken{Scopes: strings.Fields(rule.Scope), ExpiresAt: now.Add(lifetime), Federated: true}
	})
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token,
		"token_type":   "Bearer",
		"expires_in":   int(lifetime.Seconds()),
		"scope":        rule.Scope,
	})
}

func (s *Server) deny(w http.ResponseWriter, ruleID string, d *denial) {
	now := s.clock()
	s.mu.Lock()
	s.denials = append(s.denials, d.reason+": "+d.detail)
	s.stats.Denied++
	s.mu.Unlock()
	s.withConsole(func(c *console) {
		c.history = append(c.history, Denial{At: now, RuleID: ruleID, Reason: d.historyReason(), Check: d.reason, Detail: d.detail})
	})
	writeError(w, http.StatusUnauthorized, errAuth, "Authentication failed")
}

func (s *Server) reject(w http.ResponseWriter, status int, errType, msg string) {
	s.count(func(st *Stats) { st.BadRequests++ })
	writeError(w, status, errType, msg)
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.stats)
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func writeError(w http.ResponseWriter, status int, errType, msg string) {
	writeJSON(w, status, map[string]any{
		"type":  "error",
		"error": map[string]string{"type": errType, "message": msg},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
