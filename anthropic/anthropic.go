// Package anthropic is the client side of Anthropic's Workload Identity Federation token
// exchange: it posts an identity token to <base URL>/v1/oauth/token exactly as the SDKs do and
// reports the outcome as a verify.Exchange, without ever keeping the access token.
package anthropic

import "time"

// Facts about the exchange, from shared/spec/anthropic.md ("The exchange").
const (
	DefaultBaseURL     = "https://api.anthropic.com"
	TokenPath          = "/v1/oauth/token"
	GrantTypeJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	BetaHeader         = "oauth-2025-04-20,oidc-federation-2026-04-01"
	MaxAssertionBytes  = 16 << 10
	MaxResponseBytes   = 1 << 20
	DefaultTimeout     = 30 * time.Second
)

// Error types that Anthropic returns, and the one this client assigns itself when a response
// cannot be read as either a token or an error.
const (
	ErrorInvalidRequest = "invalid_request_error"
	ErrorAuthentication = "authentication_error"
	ErrorInvalidGrant   = "invalid_grant" // the older OAuth shape (anthropic.md, "Errors")
	ErrorBadResponse    = "invalid_response"
)
