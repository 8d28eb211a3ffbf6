package wif

import "time"

// ProbeRequest is one live verification of a connection: observe authentik (and, when asked,
// the Anthropic exchange), then run every check.
type ProbeRequest struct {
	Connection Connection
	Secret     string // empty: no token is requested and the token checks are skipped
	RequireIDs bool   // missing Console IDs fail instead of skip
	Exchange   bool   // also run the live Anthropic exchange (spends the token's jti)
	// Admin API tokens for this run only: with ConsoleToken the Console's issuer, rule and service
	// account are read and become the source of truth; with AuthentikToken the provider and its
	// application are read for the authentik.provider check.
	ConsoleToken   string
	AuthentikToken string
	// Progress, when set, is told as each step finishes. Steps finish concurrently, so it must
	// be safe for concurrent use.
	Progress func(ProbeStep)
}

// Steps of a live verification, as a ProbeRequest's Progress hears of them.
const (
	StepDiscovery = "discovery"
	StepJWKS      = "jwks"
	StepToken     = "token"
	StepResolve   = "resolve"
)

// ProbeStep is one finished step: OK when it got an HTTP 200 (or resolved), Detail the status
// or the error. It never holds a body, a token or a secret.
type ProbeStep struct {
	Step   string
	OK     bool
	Detail string
}

// ProviderExpectations are what the connection records and needs of the provider; empty fields
// are unknown and their items are judged on the provider alone.
type ProviderExpectations struct {
	AuthentikURL             string
	AppSlug                  string
	IssuerURL                string
	SubjectPrefix            string
	SubjectMode              string // as recorded; empty: not recorded
	IssuerMode               string // as the recorded issuer URL implies (IssuerModeOf); empty: unknown
	MaxIdentityTokenLifetime time.Duration
}

// ExpectationsOf are the expectations a connection records.
func ExpectationsOf(c Connection) ProviderExpectations {
	authentikURL := c.AuthentikURL
	if authentikURL == "" {
		authentikURL = Origin(EffectiveIssuerURL(c))
	}
	mode := ""
	if c.IssuerURL != "" {
		mode = IssuerModeOf(Connection{AuthentikURL: authentikURL, IssuerURL: c.IssuerURL})
	}
	return ProviderExpectations{AuthentikURL: authentikURL, AppSlug: c.AppSlug, IssuerURL: EffectiveIssuerURL(c),
		SubjectPrefix: c.SubjectPrefix, SubjectMode: c.SubjectMode, IssuerMode: mode,
		MaxIdentityTokenLifetime: c.MaxIdentityTokenLifetime}
}

// ChecklistItem is one provider setting judged against what federation needs. IDs are stable.
type ChecklistItem struct {
	ID     string
	Label  string
	OK     bool
	Advice bool // not OK, yet federation works either way: a warning, not a failure
	Actual string
	Fix    string // empty when OK: the authentik setting to change, by its label, and the value to choose
}
