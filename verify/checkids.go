package verify

// Check IDs of docs/verification.md, stable: scripts and stored history depend on them.
const (
	CheckConsoleIDs        = "ids"
	CheckConsoleAccess     = "console.access"
	CheckConsoleIssuer     = "console.issuer"
	CheckConsoleRule       = "console.rule"
	CheckConsoleAccount    = "console.service_account"
	CheckAuthentikProvider = "authentik.provider"
	CheckIssuerURL         = "issuer.url"
	CheckIssuerPublic      = "issuer.public"
	CheckDiscovery         = "discovery"
	CheckDiscoveryIssuer   = "discovery.issuer"
	CheckJWKS              = "jwks"
	CheckTokenRequest      = "token.request"
	CheckTokenFormat       = "token.format"
	CheckHeaderAlg         = "header.alg"
	CheckHeaderKid         = "header.kid"
	CheckSignature         = "signature"
	CheckClaimIss          = "claim.iss"
	CheckClaimSub          = "claim.sub"
	CheckClaimAud          = "claim.aud"
	CheckRuleClaims        = "rule.claims"
	CheckRuleCondition     = "rule.condition"
	CheckClaimExp          = "claim.exp"
	CheckClaimIat          = "claim.iat"
	CheckClaimNbf          = "claim.nbf"
	CheckLifetime          = "lifetime"
	CheckRuleLifetime      = "rule.lifetime"
	CheckExchange          = "exchange"
)

// CheckIDs lists every check in the order a report shows them.
var CheckIDs = []string{
	CheckConsoleIDs, CheckConsoleAccess, CheckConsoleIssuer, CheckConsoleRule, CheckConsoleAccount,
	CheckAuthentikProvider, CheckIssuerURL, CheckIssuerPublic, CheckDiscovery, CheckDiscoveryIssuer, CheckJWKS,
	CheckTokenRequest, CheckTokenFormat, CheckHeaderAlg, CheckHeaderKid, CheckSignature,
	CheckClaimIss, CheckClaimSub, CheckClaimAud, CheckRuleClaims, CheckRuleCondition, CheckClaimExp, CheckClaimIat, CheckClaimNbf,
	CheckLifetime, CheckRuleLifetime, CheckExchange,
}

// Conditional reports whether a check runs only when its input is given — a Console token, an
// authentik API token, the rule's claims matchers or condition, a live exchange — and is skip
// otherwise.
func Conditional(id string) bool {
	switch id {
	case CheckConsoleAccess, CheckConsoleIssuer, CheckConsoleRule, CheckConsoleAccount, CheckAuthentikProvider,
		CheckRuleClaims, CheckRuleCondition, CheckExchange:
		return true
	}
	return false
}
