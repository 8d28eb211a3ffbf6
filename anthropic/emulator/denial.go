package emulator

// Reasons recorded in Denials, named after wifwiz's check IDs where one fits.
const (
	DenyRule           = "rule"         // unknown or archived rule, other organization or service account
	DenyWorkspace      = "workspace"    // workspace required or not enabled for the rule
	DenyJWKS           = "jwks"         // the issuer's keys could not be obtained
	DenyFormat         = "token.format" // not a compact JWS, or claims not JSON
	DenyAlg            = "header.alg"
	DenyKID            = "header.kid"
	DenySignature      = "signature"
	DenyIss            = "claim.iss"
	DenySub            = "claim.sub"
	DenyAud            = "claim.aud"
	DenyExp            = "claim.exp"
	DenyIat            = "claim.iat"
	DenyNbf            = "claim.nbf"
	DenyLifetime       = "lifetime"
	DenyReplay         = "jti"
	DenyClaims         = "rule.claims"             // a claims matcher failed
	DenyCondition      = "rule.condition"          // the CEL condition is false or failed
	DenyIssuer         = "console.issuer"          // the rule's issuer is archived
	DenyServiceAccount = "console.service_account" // archived, not a workspace member, role too low
)

// Reasons of the Console's authentication history. Anthropic documents match_subject_prefix,
// workspace_id_required and jti_reused; the others follow their pattern.
const (
	HistoryRuleNotFound     = "rule_not_found"
	HistoryRuleArchived     = "rule_archived"
	HistoryOrganization     = "organization_mismatch"
	HistoryServiceAccountID = "service_account_mismatch"
	HistoryWorkspaceReq     = "workspace_id_required"
	HistoryWorkspace        = "workspace_not_enabled"
	HistoryNotMember        = "service_account_not_workspace_member"
	HistoryAccountArchived  = "service_account_archived"
	HistoryAccountRole      = "service_account_role"
	HistoryIssuerArchived   = "issuer_archived"
	HistoryJWKS             = "jwks_unavailable"
	HistoryFormat           = "malformed_token"
	HistoryAlg              = "unsupported_algorithm"
	HistoryKID              = "kid_not_found"
	HistorySignature        = "invalid_signature"
	HistoryIssuer           = "issuer_mismatch"
	HistorySubject          = "match_subject_prefix"
	HistoryAudience         = "match_audience"
	HistoryClaims           = "match_claims"
	HistoryCondition        = "match_condition"
	HistoryExpired          = "token_expired"
	HistoryIat              = "iat_invalid"
	HistoryNbf              = "nbf_in_future"
	HistoryLifetime         = "jwt_lifetime_exceeded"
	HistoryReplay           = "jti_reused"
)

// historyOf is the history reason of a check, when the denial names no finer one.
var historyOf = map[string]string{
	DenyRule: HistoryRuleNotFound, DenyWorkspace: HistoryWorkspace, DenyJWKS: HistoryJWKS,
	DenyFormat: HistoryFormat, DenyAlg: HistoryAlg, DenyKID: HistoryKID, DenySignature: HistorySignature,
	DenyIss: HistoryIssuer, DenySub: HistorySubject, DenyAud: HistoryAudience, DenyExp: HistoryExpired,
	DenyIat: HistoryIat, DenyNbf: HistoryNbf, DenyLifetime: HistoryLifetime, DenyReplay: HistoryReplay,
	DenyClaims: HistoryClaims, DenyCondition: HistoryCondition, DenyIssuer: HistoryIssuerArchived,
	DenyServiceAccount: HistoryAccountArchived,
}

// denial is why one exchange was refused; the client only ever sees "Authentication failed".
type denial struct {
	reason  string // a Deny constant
	detail  string
	history string // a History constant; empty: historyOf[reason]
}

func (d *denial) historyReason() string {
	if d.history != "" {
		return d.history
	}
	return historyOf[d.reason]
}
