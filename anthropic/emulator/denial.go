package emulator

// Reasons recorded in Denials, named after the checks of shared/spec/checks.md where one fits.
const (
	DenyRule      = "rule"         // unknown or archived rule, other organization or service account
	DenyWorkspace = "workspace"    // workspace required or not enabled for the rule
	DenyJWKS      = "jwks"         // the issuer's keys could not be obtained
	DenyFormat    = "token.format" // not a compact JWS, or claims not JSON
	DenyAlg       = "header.alg"
	DenyKID       = "header.kid"
	DenySignature = "signature"
	DenyIss       = "claim.iss"
	DenySub       = "claim.sub"
	DenyAud       = "claim.aud"
	DenyExp       = "claim.exp"
	DenyIat       = "claim.iat"
	DenyNbf       = "claim.nbf"
	DenyLifetime  = "lifetime"
	DenyReplay    = "jti"
)

// denial is why one exchange was refused; the client only ever sees "Authentication failed".
type denial struct {
	reason string
	detail string
}
