// Package verify is the check engine: a pure function from what is configured (Config) and what
// was observed on the network (Observation) at a given time to a Report with every check of
// docs/verification.md. It knows nothing of HTTP, SQL or HTML.
package verify

import (
	"time"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// Status is a check's verdict.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Config is what the federation rule and the Console expect. Durations are whole seconds.
type Config struct {
	Connection               string // name, or empty for an ad-hoc check
	IssuerURL                string // exactly as configured in the Console
	DiscoveryBase            string // empty: IssuerURL without its trailing slash
	ClientID                 string
	TokenField               string // auto | id_token | access_token
	SubjectPrefix            string
	Audience                 string
	MaxIdentityTokenLifetime time.Duration
	TokenLifetime            time.Duration
	FederationRuleID         string
	OrganizationID           string
	ServiceAccountID         string
	WorkspaceID              string
	RequireIDs               bool              // a missing ID fails instead of skips
	InlineJWKS               []byte            // the JWKS pasted in the Console; nil when the Console uses discovery
	AccessTokenValidity      time.Duration     // authentik's "Access token validity" as recorded; 0 when unknown
	OAuthScope               string            // the rule's OAuth scope as recorded; empty when unknown
	Claims                   map[string]string // the rule's claims matchers as recorded
	Condition                string            // the rule's CEL condition as recorded
	IssuerID                 string            // the Console's federation issuer ID as recorded
	RuleName                 string
	JWKSSource               string // discovery | inline, as recorded; empty when unknown
	// DefaultedLifetimes: the lifetimes above are the Console defaults, nothing was recorded.
	TokenLifetimeDefaulted, MaxLifetimeDefaulted bool
	// What the connection records of authentik's side, for authentik.provider.
	AuthentikURL string // empty: unknown
	AppSlug      string
	SubjectMode  string // the provider's subject mode as recorded; empty: not recorded
	IssuerMode   string // the issuer mode the recorded issuer URL implies; empty: unknown
}

// Fetch is the outcome of one HTTP GET. Body is already bounded by the client.
type Fetch struct {
	URL    string
	Status int    // 0 when no response arrived
	Body   []byte // at most 1 MiB
	Err    string // transport or read error, empty on a response
}

// TokenResponse is the outcome of the client-credentials request. Body holds the raw response,
// which contains the tokens: it lives only for the request that made it.
type TokenResponse struct {
	URL    string
	Status int
	Body   []byte
	Err    string
}

// Exchange is the outcome of a live Anthropic token exchange (only when asked).
type Exchange struct {
	URL         string
	Status      int
	Err         string // transport error
	ErrorType   string // e.g. authentication_error, invalid_request_error
	Message     string
	Scope       string
	ExpiresIn   int    // seconds actually minted
	TokenPrefix string // the first characters of the access token, never the whole
}

// Observation is everything fetched for one verification. A nil pointer means "not attempted".
type Observation struct {
	Discovery    Fetch
	JWKS         *Fetch
	Token        *TokenResponse
	TokenSkipped TokenSkip // why Token is nil; "" when the observer did not say
	IssuerAddrs  []string  // addresses the issuer host resolved to; nil when not resolved
	ResolveErr   string
	Exchange     *Exchange
	// Provider is the provider read through authentik's admin API; nil when no API token was given.
	Provider *ProviderRead

	// Redactor removes the secrets the requests carried (the client secret, admin API tokens)
	// from what was read, before the engine quotes or cuts any of it: a cut would leave part of
	// an encoded secret unrecognisable. Whoever made the requests sets it; nil: token shapes only.
	Redactor *redact.Redactor

	// KidFirstSeen is, for each kid of the issuer's JWKS, when wifwiz first saw it published
	// there: filled by the caller from the connection's earlier runs, with the current time for
	// a kid no earlier run saw. nil when there is no history (then no key counts as fresh).
	// Anthropic caches an issuer's JWKS for about a minute, so a token signed with a key that
	// appeared less than that ago may be refused (header.kid warns).
	KidFirstSeen map[string]time.Time

	// Console is what was read from the Console's management API; nil when no Console token
	// was given.
	Console *ConsoleObservation
}

// ProviderRead is the provider read through authentik's admin API for authentik.provider.
type ProviderRead struct {
	URL      string                 // the authentik instance asked
	Provider *wif.AuthentikProvider // nil when it could not be read
	Version  string                 // authentik's version; "" when unknown
	Err      string                 // why it could not be read: token refused, not found, transport
}

// TokenSkip says why no token was requested.
type TokenSkip string

const (
	// TokenSkipNoSecret: no client secret was given.
	TokenSkipNoSecret TokenSkip = "no_secret"
	// TokenSkipNoEndpoint: no token URL was given and discovery named none (it failed, or its
	// document has no token_endpoint).
	TokenSkipNoEndpoint TokenSkip = "no_endpoint"
	// TokenSkipForeignEndpoint: discovery's token_endpoint is on another origin than the
	// issuer's (or the discovery base's), and the client secret is never sent there.
	TokenSkipForeignEndpoint TokenSkip = "foreign_endpoint"
)

// Check is one row of the report; ID is one of the stable IDs of docs/verification.md.
type Check struct {
	ID       string `json:"id"`
	Status   Status `json:"status"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

// Token describes the verified token without the token itself.
type Token struct {
	Field  string         `json:"field"`
	SHA256 string         `json:"sha256"`
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// Summary counts the checks by verdict.
type Summary struct {
	Pass int `json:"pass"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
}

// Report is the JSON report of docs/verification.md. It never contains the raw token.
type Report struct {
	Connection *string   `json:"connection"`
	Issuer     string    `json:"issuer"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	Token      *Token    `json:"token"`
	Checks     []Check   `json:"checks"`
	// Console is what the Console held, when it was read through its management API.
	Console *ConsoleState `json:"console,omitempty"`
	Summary Summary       `json:"summary"`
	OK      bool          `json:"ok"`
}
