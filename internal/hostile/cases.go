package hostile

// Case is what a mode must cause wherever a verification or a token refresh meets it.
type Case struct {
	Mode Mode
	// Report is what a verification's report says (the wizard's pages, check, audit).
	Report string
	// Token is what wifwiz token's failure says; "" when it writes a token (the refresher does not
	// verify: Anthropic does).
	Token string
	// Streams: the mode's answer never ends; it must end when the client stops reading.
	Streams bool
}

// Cases are every mode's expectations.
func Cases() []Case {
	const (
		tooLarge   = "response too large: over 1048576 bytes (1 MiB)"
		redirected = "wifwiz does not follow redirects to another scheme or host"
	)
	return []Case{
		{Mode: Normal, Report: "issued a token."},
		{Mode: EchoForm, Report: `error "invalid_client"`, Token: `error "invalid_client"`},
		{Mode: EchoPercent, Report: `error "invalid_client"`, Token: `error "invalid_client"`},
		{Mode: EchoBasic, Report: `error "invalid_client"`, Token: `error "invalid_client"`},
		{Mode: EchoJSON, Report: "answered HTTP 502 without an OAuth error", Token: "answered HTTP 502"},
		{Mode: EchoHTML, Report: "answered HTTP 500 without an OAuth error", Token: "answered HTTP 500"},
		{Mode: EchoClaims, Report: "issued a token."}, // its claims carry the secret: see Leaks
		{Mode: InternalJWKS, Report: "wifwiz fetches nothing a discovery document points elsewhere"},
		{Mode: ForeignToken, Report: "wifwiz never sends the client secret to another origin", Token: "on another origin than the issuer's: the client secret is never sent there"},
		{Mode: HugeBody, Report: tooLarge, Token: tooLarge},
		{Mode: EndlessBody, Report: tooLarge, Token: tooLarge, Streams: true},
		{Mode: SlowDrip, Report: "no complete answer within", Token: "no complete answer within", Streams: true},
		{Mode: RedirectPort, Report: redirected, Token: redirected},
		{Mode: RedirectScheme, Report: redirected, Token: redirected},
		{Mode: RedirectLoop, Report: "stopped after 5 redirects", Token: "stopped after 5 redirects"},
		{Mode: Markup, Report: "Discovery's issuer differs from the Console's Issuer URL"},
		{Mode: DegenerateKeys, Report: "an RSA key of 0 bits; wifwiz accepts at least 2048"},
		{Mode: AbsurdTimes, Report: "The token's exp is not a NumericDate", Token: "not a time between 1970 and 9999"},
		{Mode: Terminal, Report: "Discovery's issuer differs from the Console's Issuer URL"},
	}
}
