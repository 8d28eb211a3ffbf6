// Package anthropic is the client side of Anthropic's Workload Identity Federation token
// exchange: it posts an identity token to <base URL>/v1/oauth/token exactly as the SDKs do and
// reports the outcome as a verify.Exchange, without ever keeping the access token.
package anthropic

import (
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// Facts about the exchange (docs/facts.md, Anthropic: "The exchange"); wif holds them.
const (
	DefaultBaseURL     = wif.DefaultAnthropicBaseURL
	TokenPath          = wif.AnthropicTokenPath
	GrantTypeJWTBearer = wif.JWTBearerGrantType
	BetaHeader         = wif.AnthropicBeta
	MaxAssertionBytes  = wif.MaxTokenBytes
	MaxResponseBytes   = wif.MaxResponseBytes
	DefaultTimeout     = 30 * time.Second
)

// Error types that Anthropic returns, and the one this client assigns itself when a response
// cannot be read as either a token or an error.
const (
	ErrorInvalidRequest = "invalid_request_error"
	ErrorAuthentication = "authentication_error"
	ErrorInvalidGrant   = "invalid_grant" // the older OAuth shape (docs/facts.md, Anthropic: "Errors")
	ErrorBadResponse    = "invalid_response"
)
