package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The Console side: the objects Anthropic's WIF management API (/v1/organizations/…) manages,
// as that API returns them. The emulator serves them over HTTP (console_http.go) and its token
// exchange uses them as well as the configured Rules.

// ServiceAccount is a Console service account (svac_…).
type ServiceAccount struct {
	ID               string     `json:"id"`
	Type             string     `json:"type"`
	Name             string     `json:"name"`
	Description      string     `json:"description"`
	OrganizationRole string     `json:"organization_role"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ArchivedAt       *time.Time `json:"archived_at"`
	seq              int64
}

// JWKSSource is an issuer's key source: discovery, explicit_url or inline.
type JWKSSource struct {
	Type          string          `json:"type"`
	DiscoveryBase string          `json:"discovery_base,omitempty"`
	URL           string          `json:"url,omitempty"`
	Keys          json.RawMessage `json:"keys,omitempty"`
	CACertPEM     string          `json:"ca_cert_pem,omitempty"`
}

// FederationIssuer is a Console federation issuer (fdis_…).
type FederationIssuer struct {
	ID                    string     `json:"id"`
	Type                  string     `json:"type"`
	Name                  string     `json:"name"`
	IssuerURL             string     `json:"issuer_url"`
	JWKS                  JWKSSource `json:"jwks"`
	MaxJWTLifetimeSeconds int        `json:"max_jwt_lifetime_seconds"`
	CheckJTI              bool       `json:"check_jti"`
	JWKSPollingDisabledAt *time.Time `json:"jwks_polling_disabled_at"`
	CreatedAt             time.Time  `json:"created_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
	ArchivedAt            *time.Time `json:"archived_at"`
	seq                   int64
}

// Match is a federation rule's match block.
type Match struct {
	SubjectPrefix string            `json:"subject_prefix,omitempty"`
	Audience      string            `json:"audience,omitempty"`
	Claims        map[string]string `json:"claims,omitempty"`
	Condition     string            `json:"condition,omitempty"`
}

// Target is what a federation rule authenticates as.
type Target struct {
	Type               string `json:"type"`
	ServiceAccountID   string `json:"service_account_id"`
	ServiceAccountName string `json:"service_account_name"`
}

// FederationRule is a Console federation rule (fdrl_…). LegacyWorkspaceID is the single
// workspace of rules made before explicit enablements; WorkspaceIDs are those enablements.
type FederationRule struct {
	ID                     string     `json:"id"`
	Type                   string     `json:"type"`
	Name                   string     `json:"name"`
	Description            string     `json:"description"`
	IssuerID               string     `json:"issuer_id"`
	IssuerName             string     `json:"issuer_name"`
	Match                  Match      `json:"match"`
	Target                 Target     `json:"target"`
	OAuthScope             string     `json:"oauth_scope"`
	TokenLifetimeSeconds   int        `json:"token_lifetime_seconds"`
	LegacyWorkspaceID      *string    `json:"workspace_id"`
	WorkspaceIDs           []string   `json:"workspace_ids"`
	AppliesToAllWorkspaces bool       `json:"applies_to_all_workspaces"`
	Attributes             any        `json:"attributes"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
	ArchivedAt             *time.Time `json:"archived_at"`
	seq                    int64
}

// Membership is a service account's membership of a workspace.
type Membership struct {
	Type             string `json:"type"`
	ServiceAccountID string `json:"service_account_id"`
	WorkspaceID      string `json:"workspace_id"`
	WorkspaceRole    string `json:"workspace_role"`
	Implicit         bool   `json:"implicit"`
}

// Workspace is a workspace of the organization.
type Workspace struct {
	ID           string     `json:"id"`
	Type         string     `json:"type"`
	Name         string     `json:"name"`
	DisplayColor string     `json:"display_color"`
	CreatedAt    time.Time  `json:"created_at"`
	ArchivedAt   *time.Time `json:"archived_at"`
	seq          int64
}

// ConsoleToken is an OAuth access token the management API accepts or refuses. Federated marks
// a workload's token (obtained by a token exchange) as opposed to a person's interactive one.
type ConsoleToken struct {
	Scopes    []string
	ExpiresAt time.Time
	Federated bool
}

// Denial is one entry of the authentication history: why an exchange was refused. Reason is the
// Console's history reason (match_subject_prefix, workspace_id_required, jti_reused, …); Check
// is the wifwiz check it corresponds to (the Deny constants).
type Denial struct {
	At     time.Time
	RuleID string
	Reason string
	Check  string
	Detail string
}

// Facts of the management API (Anthropic's WIF management documentation).
const (
	defaultOrgID       = "6b3f9a52-1d4e-4c8a-9f27-0e5d3c1b7a90"
	defaultOrgName     = "Emulated organization"
	implicitRole       = "workspace_user"
	maxMaxJWTLifetime  = 176400
	minTokenLifetime   = 60
	maxTokenLifetime   = 86400
	maxNameLength      = 255
	maxDescription     = 2000
	maxMatchLength     = 1024
	maxConditionLength = 4096
	maxCACertPEM       = 8192
	scopeOrgAdmin      = "org:admin"
	scopeInference     = "workspace:inference"
	scopeManageTunnels = "workspace:manage_tunnels"
	roleAdmin          = "admin"
	roleDeveloper      = "developer"
	targetSA           = "service_account"
)

var (
	knownScopes    = []string{defaultScope, scopeInference, scopeOrgAdmin, scopeManageTunnels}
	workspaceRoles = []string{"workspace_admin", "workspace_developer", "workspace_restricted_developer", implicitRole}
)

// console is the emulated organization's Console state; Server.cmu guards it.
type console struct {
	orgID, orgName string
	tokens         map[string]ConsoleToken
	accounts       map[string]*ServiceAccount
	issuers        map[string]*FederationIssuer
	rules          map[string]*FederationRule
	members        map[string][]Membership // service account → explicit memberships
	workspaces     map[string]*Workspace
	history        []Denial
	seq            int64
	requestSeq     int64
	loopbackURLs   bool
}

func newConsole() *console {
	return &console{
		orgID: defaultOrgID, orgName: defaultOrgName,
		tokens: map[string]ConsoleToken{}, accounts: map[string]*ServiceAccount{},
		issuers: map[string]*FederationIssuer{}, rules: map[string]*FederationRule{},
		members: map[string][]Membership{}, workspaces: map[string]*Workspace{},
	}
}

func (c *console) next() int64 { c.seq++; return c.seq }

func (s *Server) withConsole(f func(c *console)) {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	f(s.console)
}

// SetOrganization sets the organization the management API and its rules belong to.
func (s *Server) SetOrganization(id, name string) error {
	if !uuidPattern.MatchString(id) {
		return fmt.Errorf("organization ID %q must be a UUID", id)
	}
	s.withConsole(func(c *console) { c.orgID, c.orgName = id, name })
	return nil
}

// OrganizationID is the organization of the management API (a UUID).
func (s *Server) OrganizationID() string {
	var id string
	s.withConsole(func(c *console) { id = c.orgID })
	return id
}

// AllowLoopbackURLs lets issuers name https URLs on loopback hosts and any port, so tests can
// point discovery and JWKS URLs at servers on 127.0.0.1. Anthropic itself refuses them.
func (s *Server) AllowLoopbackURLs(allow bool) {
	s.withConsole(func(c *console) { c.loopbackURLs = allow })
}

// IssueConsoleToken makes an OAuth access token for the management API. A zero ExpiresAt is an
// hour from the emulator's clock.
func (s *Server) IssueConsoleToken(t ConsoleToken) string {
	if t.ExpiresAt.IsZero() {
		t.ExpiresAt = s.clock().Add(time.Hour)
	}
	token := accessPrefix + randomString(32)
	s.withConsole(func(c *console) { c.tokens[token] = t })
	return token
}

// AddWorkspace creates a workspace (wrkspc_…), as the Console does.
func (s *Server) AddWorkspace(name string) Workspace {
	now := s.clock()
	var w Workspace
	s.withConsole(func(c *console) {
		w = Workspace{ID: "wrkspc_" + randomID(), Type: "workspace", Name: name, DisplayColor: "#6C5BB9", CreatedAt: now, seq: c.next()}
		c.workspaces[w.ID] = &w
	})
	return w
}

// History lists the authentication history: every refused exchange, oldest first.
func (s *Server) History() []Denial {
	var out []Denial
	s.withConsole(func(c *console) { out = slices.Clone(c.history) })
	return out
}

// ServiceAccount returns a service account as the Console holds it.
func (s *Server) ServiceAccount(id string) (ServiceAccount, bool) {
	var a ServiceAccount
	var ok bool
	s.withConsole(func(c *console) {
		if p := c.accounts[id]; p != nil {
			a, ok = *p, true
		}
	})
	return a, ok
}

// FederationIssuer returns an issuer as the Console holds it.
func (s *Server) FederationIssuer(id string) (FederationIssuer, bool) {
	var i FederationIssuer
	var ok bool
	s.withConsole(func(c *console) {
		if p := c.issuers[id]; p != nil {
			i, ok = *p, true
		}
	})
	return i, ok
}

// FederationRule returns a rule as the Console holds it.
func (s *Server) FederationRule(id string) (FederationRule, bool) {
	var r FederationRule
	var ok bool
	s.withConsole(func(c *console) {
		if p := c.rules[id]; p != nil {
			r, ok = c.ruleView(p), true
		}
	})
	return r, ok
}

// Memberships lists a service account's workspace memberships, the implicit one first.
func (s *Server) Memberships(serviceAccountID string) []Membership {
	var out []Membership
	s.withConsole(func(c *console) { out = c.memberships(serviceAccountID) })
	return out
}

// EditServiceAccount changes a service account behind the API's back, as someone in the
// Console would: no validation, no restriction.
func (s *Server) EditServiceAccount(id string, edit func(*ServiceAccount)) error {
	return s.edit(id, func(c *console) bool {
		p := c.accounts[id]
		if p != nil {
			edit(p)
		}
		return p != nil
	})
}

// EditFederationIssuer changes an issuer behind the API's back.
func (s *Server) EditFederationIssuer(id string, edit func(*FederationIssuer)) error {
	return s.edit(id, func(c *console) bool {
		p := c.issuers[id]
		if p != nil {
			edit(p)
		}
		return p != nil
	})
}

// EditFederationRule changes a rule behind the API's back — e.g. to give it the org:admin
// scope, which only a Console session may do.
func (s *Server) EditFederationRule(id string, edit func(*FederationRule)) error {
	return s.edit(id, func(c *console) bool {
		p := c.rules[id]
		if p != nil {
			edit(p)
		}
		return p != nil
	})
}

// Archive archives any Console object by ID behind the API's back, with none of its checks.
func (s *Server) Archive(id string) error {
	now := s.clock()
	return s.edit(id, func(c *console) bool {
		switch {
		case c.accounts[id] != nil:
			c.accounts[id].ArchivedAt = &now
		case c.issuers[id] != nil:
			c.issuers[id].ArchivedAt = &now
		case c.rules[id] != nil:
			c.rules[id].ArchivedAt, c.rules[id].WorkspaceIDs, c.rules[id].LegacyWorkspaceID = &now, nil, nil
		default:
			return false
		}
		return true
	})
}

// RemoveMembership takes a service account out of a workspace behind the API's back.
func (s *Server) RemoveMembership(serviceAccountID, workspaceID string) {
	s.withConsole(func(c *console) {
		c.members[serviceAccountID] = slices.DeleteFunc(c.members[serviceAccountID], func(m Membership) bool { return m.WorkspaceID == workspaceID })
	})
}

func (s *Server) edit(id string, f func(c *console) bool) error {
	found := false
	s.withConsole(func(c *console) { found = f(c) })
	if !found {
		return fmt.Errorf("emulator: no Console object %q", id)
	}
	return nil
}

// memberships is the implicit default-workspace membership followed by the explicit ones.
func (c *console) memberships(sa string) []Membership {
	out := []Membership{{Type: "service_account_workspace_member", ServiceAccountID: sa, WorkspaceID: defaultWorkspace, WorkspaceRole: implicitRole, Implicit: true}}
	return append(out, c.members[sa]...)
}

// ruleView fills the read-only fields of a rule from the objects it names.
func (c *console) ruleView(r *FederationRule) FederationRule {
	v := *r
	v.Match.Claims = cloneMap(r.Match.Claims)
	v.WorkspaceIDs = append([]string{}, r.WorkspaceIDs...)
	if i := c.issuers[r.IssuerID]; i != nil {
		v.IssuerName = i.Name
	}
	if a := c.accounts[r.Target.ServiceAccountID]; a != nil {
		v.Target.ServiceAccountName = a.Name
	}
	return v
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func randomID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
