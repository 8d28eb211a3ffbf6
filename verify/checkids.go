package verify

// Check IDs of checks.md, stable: scripts and stored history depend on them.
const (
	CheckConsoleIDs        = "ids"
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
	CheckClaimExp          = "claim.exp"
	CheckClaimIat          = "claim.iat"
	CheckClaimNbf          = "claim.nbf"
	CheckLifetime          = "lifetime"
	CheckRuleLifetime      = "rule.lifetime"
	CheckExchange          = "exchange"
)

// CheckIDs lists every check in the order a report shows them.
var CheckIDs = []string{
	CheckConsoleIDs, CheckAuthentikProvider, CheckIssuerURL, CheckIssuerPublic, CheckDiscovery, CheckDiscoveryIssuer, CheckJWKS,
	CheckTokenRequest, CheckTokenFormat, CheckHeaderAlg, CheckHeaderKid, CheckSignature,
	CheckClaimIss, CheckClaimSub, CheckClaimAud, CheckClaimExp, CheckClaimIat, CheckClaimNbf,
	CheckLifetime, CheckRuleLifetime, CheckExchange,
}
