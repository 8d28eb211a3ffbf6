package wif

import "time"

// When Anthropic's SDKs exchange an identity token again (docs/refresh.md): from
// SDKRefreshBefore before the minted access token expires, in the background, and at the latest
// SDKRefreshDeadline before, in the request's path. Each of these exchanges re-reads
// ANTHROPIC_IDENTITY_TOKEN_FILE and needs a token that was never exchanged before.
const (
	SDKRefreshBefore   = 120 * time.Second
	SDKRefreshDeadline = 30 * time.Second
)
