package wif

import (
	"regexp"
	"slices"
	"time"
)

// AllowedAlgorithms are the signature algorithms Anthropic accepts for identity tokens; HS* and
// none are rejected (docs/facts.md, Anthropic: "What Anthropic checks in the identity token").
var AllowedAlgorithms = []string{
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
}

// AlgorithmAllowed reports whether Anthropic accepts tokens signed with alg.
func AlgorithmAllowed(alg string) bool {
	return slices.Contains(AllowedAlgorithms, alg)
}

// Prefixes of the IDs the Anthropic Console shows (docs/facts.md, Anthropic: "IDs"). The organization ID is a
// UUID; a workspace ID may also be the literal DefaultWorkspace.
const (
	PrefixFederationRule = "fdrl_"
	PrefixServiceAccount = "svac_"
	PrefixIssuer         = "fdis_"
	PrefixWorkspace      = "wrkspc_"
	DefaultWorkspace     = "default"
)

// Leeway Anthropic allows on exp, nbf and iat (docs/facts.md).
const Leeway = 30 * time.Second

// The Console's range for the issuer's maximum identity token lifetime, exp − iat (docs/facts.md).
const (
	MinMaxIdentityTokenLifetime = 1 * time.Second
	MaxMaxIdentityTokenLifetime = 176400 * time.Second
)

// The Console's range for the rule's token lifetime, and the floor of a minted lifetime (docs/facts.md).
const (
	MinTokenLifetime = 60 * time.Second
	MaxTokenLifetime = 86400 * time.Second
)

// JWKSCacheTime is how long Anthropic caches an issuer's JWKS, about a minute: a key published
// less than that ago may not be known to it yet (docs/facts.md, Anthropic: "Rule and issuer settings").
const JWKSCacheTime = time.Minute

// MaxTokenBytes is the largest assertion Anthropic accepts (docs/facts.md, Anthropic: "The exchange").
const MaxTokenBytes = 16 << 10

// MinRSABits is the smallest RSA modulus wifwiz accepts as a signing key: wifwiz's own floor
// (NIST SP 800-131A has disallowed shorter RSA signature keys since 2013); a smaller or zero
// modulus is a broken or hostile key set, never a working configuration.
const MinRSABits = 2048

// MaxResponseBytes bounds every response wifwiz reads (docs/security.md).
const MaxResponseBytes = 1 << 20

// OAuthScopes a federation rule can grant through the API; DefaultOAuthScope is the Console's
// default (docs/facts.md, Anthropic: "Rule and issuer settings").
var OAuthScopes = []string{DefaultOAuthScope, "workspace:inference"}

// ruleNamePattern: lowercase letters, digits and '-', 1–255 characters (docs/facts.md).
var ruleNamePattern = regexp.MustCompile(`^[a-z0-9-]{1,255}$`)

// The Anthropic token exchange (docs/facts.md, Anthropic: "The exchange").
const (
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
	AnthropicTokenPath      = "/v1/oauth/token"
	AnthropicBeta           = "oauth-2025-04-20,oidc-federation-2026-04-01"
	JWTBearerGrantType      = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// authentik's OIDC paths (docs/facts.md, authentik: "Endpoints").
const (
	AuthentikIssuerPath = "/application/o/"
	DiscoveryPath       = "/.well-known/openid-configuration"
)

// BroadPrefixLength is wifwiz's own judgement, not a fact of either system: a wildcard subject
// prefix shorter than this (e.g. "ak-*") matches tokens of unrelated providers or users.
const BroadPrefixLength = 8

// MintedLifetime is the lifetime Anthropic mints for an exchange: max(60 s, min(rule lifetime,
// 2 × the identity token's remaining validity)) (docs/facts.md, Anthropic: "Rule and issuer settings").
func MintedLifetime(rule, remaining time.Duration) time.Duration {
	return max(MinTokenLifetime, min(rule, 2*remaining))
}
