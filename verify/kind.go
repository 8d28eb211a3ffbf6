package verify

import (
	"encoding/json"
	"net/http"

	"github.com/wifwiz/wifwiz/wif"
)

// glance is what the engine reads from the observation before any check runs, without judging
// it: the URLs that tell the issuer's kind, and the issuers the issuer itself names. The checks
// that own these values still parse and judge them in their turn.
type glance struct {
	kind         wif.IssuerKind
	discIssuer   string // discovery's issuer; "" when discovery gave none
	tokenIssuer  string // the iss of the token the checks will pick; "" when none
	tokenKid     string // that token's kid; "" when none
	discEndpoint struct{ token, jwks string }
}

func (r *run) takeGlance() {
	var g glance
	if f := r.obs.Discovery; f.Err == "" && f.Status == http.StatusOK {
		if pc, err := ParseDiscovery(f.Body); err == nil {
			g.discIssuer, g.discEndpoint.token, g.discEndpoint.jwks = pc.IssuerURL, pc.TokenURL, pc.JWKSURL
		}
	}
	var tokenURL string
	if t := r.obs.Token; t != nil {
		tokenURL = t.URL
		g.tokenIssuer, g.tokenKid = tokenIssuer(t, r.cfg.TokenField)
	}
	g.kind = wif.KindOfIssuer(r.cfg.IssuerURL, g.discEndpoint.token, g.discEndpoint.jwks, r.cfg.DiscoveryBase, tokenURL)
	r.glance = g
}

// tokenIssuer is the unverified iss and header kid of the token a successful response holds.
func tokenIssuer(t *TokenResponse, field string) (iss, kid string) {
	if t.Err != "" || t.Status != http.StatusOK {
		return "", ""
	}
	var resp tokenResponse
	if json.Unmarshal(t.Body, &resp) != nil {
		return "", ""
	}
	picked, err := pickToken(resp, field)
	if err != nil {
		return "", ""
	}
	header, claims, err := DecodeToken(picked.raw)
	if err != nil {
		return "", ""
	}
	iss, _ = claims["iss"].(string)
	kid, _ = header["kid"].(string)
	return iss, kid
}

// authentik reports whether the issuer has authentik's shape: only then may a message name
// authentik's settings and conventions.
func (r *run) authentik() bool { return r.glance.kind.Authentik() }

// issuerName is who issues the tokens, for messages: "authentik" or "the issuer".
func (r *run) issuerName() string {
	if r.authentik() {
		return "authentik"
	}
	return "the issuer"
}

// issuerSubject is issuerName at the start of a sentence.
func (r *run) issuerSubject() string { return r.byKind("authentik", "The issuer") }

// fromIssuerFix is the fix for a token that lacks what every token of this issuer has.
func (r *run) fromIssuerFix(what string) string {
	return r.byKind("authentik always sets "+what+": check that the token comes from authentik's token endpoint.",
		"Check that the token comes from the issuer's token endpoint, and that the issuer sets "+what+".")
}

// signingKeyFix says how to make the issuer sign with a key Anthropic can verify.
func (r *run) signingKeyFix() string {
	return r.byKind(fixSelectSigningKey,
		"Configure the issuer to sign identity tokens with an RSA or EC key (RS256/384/512, ES256/384/512, PS256/384/512) and to publish it in its JWKS.")
}

// tokenURL is where the token was requested; "" when it was not.
func (r *run) tokenURL() string {
	if r.obs.Token == nil {
		return ""
	}
	return r.obs.Token.URL
}

// byKind picks the authentik wording or the generic one.
func (r *run) byKind(authentik, generic string) string {
	if r.authentik() {
		return authentik
	}
	return generic
}
