// Package wif is wifwiz's domain model: a Connection (one authentik provider wired to one
// Anthropic federation rule), the facts both systems impose on it, and its validation.
// It does no I/O.
package wif

import "time"

// JWKS sources the Anthropic Console offers for an issuer (docs/facts.md, Anthropic: "Rule and issuer settings").
const (
	JWKSDiscovery = "discovery"
	JWKSInline    = "inline"
)

// Token fields wifwiz can take from authentik's token response (README.md, wifwiz check --token-field).
const (
	TokenFieldAuto        = "auto"
	TokenFieldIDToken     = "id_token"
	TokenFieldAccessToken = "access_token"
)

// Defaults used when a value was not recorded.
const (
	DefaultScope      = "openid profile"      // wifwiz check --scope
	NoScope           = "-"                   // recorded for --scope "": request no scope at all
	DefaultOAuthScope = "workspace:developer" // docs/facts.md, Anthropic: "Scopes"
	DefaultLifetime   = 3600 * time.Second    // Console default for both lifetimes (docs/facts.md)
)

// Trigger says what started a verification run.
type Trigger string

const (
	TriggerWizard Trigger = "wizard"
	// TriggerSample is the wizard's sample token, requested before the Console settings are
	// recorded: its run judges authentik's side only, and its other checks are not verdicts.
	TriggerSample Trigger = "sample"
	TriggerManual Trigger = "manual"
	TriggerAudit  Trigger = "audit"
	TriggerCLI    Trigger = "cli"
)

// Connection is everything recorded about one authentik provider and the Anthropic federation rule
// that trusts it. It never holds a secret: SecretRef says where the client secret lives
// (env:NAME or file:/path), not what it is.
type Connection struct {
	ID      int64
	Name    string
	Demo    bool // created from the built-in demo issuer; never mixed with real connections
	Version int  // optimistic concurrency: an update must name the version it read

	// authentik side (wizard steps 1-3).
	AuthentikURL        string // e.g. https://authentik.company
	AppSlug             string
	ProviderName        string
	IssuerURL           string // as configured in the Console, trailing slash included
	DiscoveryBase       string // empty: IssuerURL without its trailing slash
	TokenURL            string // empty: discovery's token_endpoint
	ClientID            string
	AccessTokenValidity string // as typed: "hours=1;minutes=30" or a Go duration
	SubjectMode         string // authentik sub_mode as recorded (hashed_user_id, user_username, …)
	Scope               string // scope requested from the issuer; empty: DefaultScope; NoScope: none
	TokenField          string // auto | id_token | access_token
	CAPEM               string // extra trusted CA for authentik (public data)
	SecretRef           string // env:NAME or file:/path; never the secret
	SecretRefOrigin     string // the origin SecretRef was set for (SecretOrigin); another origin drops it

	// Anthropic Console side (wizard step 4).
	ServiceAccountID         string // svac_…
	IssuerName               string
	JWKSSource               string // discovery | inline
	InlineJWKS               string // the JWKS JSON pasted into the Console when JWKSSource is inline
	RuleName                 string
	SubjectPrefix            string // exact, or a prefix when it ends with *
	Audience                 string // the authentik Client ID
	OAuthScope               string // workspace:developer | workspace:inference
	TokenLifetime            time.Duration
	MaxIdentityTokenLifetime time.Duration
	Claims                   map[string]string // the rule's claims matchers: top-level claim → exact string
	Condition                string            // the rule's CEL condition over claims; empty when none
	IssuerID                 string            // fdis_…, the Console's federation issuer, once known
	FederationRuleID         string            // fdrl_…
	OrganizationID           string            // UUID
	WorkspaceID              string            // wrkspc_… or default; optional
	AnthropicBaseURL         string            // empty: https://api.anthropic.com

	// References to the admin API tokens later audits, plan and apply use — never the tokens.
	// Like SecretRef, each is bound to the origin it was set for.
	ConsoleTokenRef         string // env:NAME or file:/path of an Anthropic OAuth token with org:admin
	ConsoleTokenRefOrigin   string
	AuthentikTokenRef       string // env:NAME or file:/path of an authentik API token
	AuthentikTokenRefOrigin string
	ProviderPK              int64 // the authentik provider's primary key, once read or created

	// Wizard progress: the highest step saved (0 = only created).
	Step int

	// Unreadable names the stored values the store could not read (field → why). wifwiz never
	// writes such a value; a hand-edited or damaged database may hold one. Such a connection is
	// shown, but neither exported nor verified (StoredProblems).
	Unreadable map[string]string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Run is one stored verification of a connection. The report is kept as JSON exactly as
// docs/verification.md describes it; the raw token is never stored, only its SHA-256 fingerprint.
type Run struct {
	ID               int64
	ConnectionID     int64
	At               time.Time
	Trigger          Trigger
	OK               bool
	Summary          string // e.g. "15 pass, 1 warn, 0 fail, 2 skip"
	ReportJSON       []byte
	TokenFingerprint string
	Drift            []Drift // differences from the last passing run; empty when none or no baseline
}

// Drift is one difference between a run and the last passing run of the same connection.
type Drift struct {
	Kind    string `json:"kind"` // e.g. kid, discovery.issuer, alg, sub, aud, lifetime, inline_jwks, check
	Before  string `json:"before"`
	After   string `json:"after"`
	Message string `json:"message"`
}

// Status of a connection as the list shows it.
const (
	StatusDraft    = "draft"
	StatusVerified = "verified"
	StatusFailing  = "failing"
	StatusDrifted  = "drifted"
)

// Event is one line of a connection's timeline: created, edited, verified, exported.
type Event struct {
	ID           int64
	ConnectionID int64
	At           time.Time
	Kind         string
	Actor        string // who recorded it: "browser", "cli:<user>", "audit", or a person's "Name <sub>" (Person.Actor)
	Detail       string
	// Fields names the settings (Field.Name) a "created" event set or an "edited" event
	// changed, so that each setting's last recorder can be found; empty for other events and
	// for events recorded before wifwiz kept it.
	Fields []string
}

// Event kinds.
const (
	EventCreated  = "created"
	EventEdited   = "edited"
	EventVerified = "verified"
	EventExported = "exported"
)

// RequestScope is the scope parameter to send: DefaultScope when none is recorded (the wizard's
// empty field), nothing for NoScope (--scope ""), else the recorded scope.
func (c Connection) RequestScope() string {
	switch c.Scope {
	case "":
		return DefaultScope
	case NoScope:
		return ""
	}
	return c.Scope
}
