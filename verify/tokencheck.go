package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wifwiz/wifwiz/wif"
)

const tokenRequestExpected = "HTTP 200 with an id_token (or a JWT access_token)"

func (r *run) checkTokenRequest() Check {
	t := r.obs.Token
	if t == nil {
		r.tokWhy = "No token was requested (no client secret given)."
		return skip(tokenRequestExpected, r.tokWhy)
	}
	r.tokWhy = "The token request failed: see token.request."
	if t.Err != "" {
		return fail(tokenRequestExpected, "no response: "+clean(t.Err), fmt.Sprintf("The token request to %s got no response.", t.URL),
			"Check that discovery's token_endpoint (…/application/o/token/) is reachable from this machine.")
	}
	if t.Status != http.StatusOK {
		return tokenError(t)
	}
	var resp tokenResponse
	if err := json.Unmarshal(t.Body, &resp); err != nil {
		return fail(tokenRequestExpected, fmt.Sprintf("HTTP 200, %d bytes, %s", len(t.Body), jsonProblem(err)), "The token endpoint answered 200 but not with a token response.",
			"Use the token_endpoint from discovery; a proxy in front of authentik must not rewrite it.")
	}
	picked, err := pickToken(resp, r.cfg.TokenField)
	if err != nil {
		return fail(tokenRequestExpected, "HTTP 200; "+err.Error(), "authentik answered without the token to verify.",
			"Use --token-field auto (the id_token, which authentik always returns for client credentials).")
	}
	r.tok, r.tokWhy = picked, ""
	return pass(tokenRequestExpected, tokenActual(picked), "authentik issued a token.")
}

func tokenActual(t *pickedToken) string {
	expiresIn := "(none)"
	if len(t.resp.ExpiresIn) > 0 {
		expiresIn = short(string(t.resp.ExpiresIn))
	}
	return fmt.Sprintf("HTTP 200; %s (%d bytes), token_type %q, expires_in %s, scope %q",
		t.field, len(t.raw), short(t.resp.TokenType), expiresIn, short(t.resp.Scope))
}

// tokenError explains a refused client-credentials request (authentik.md, "Response").
func tokenError(t *TokenResponse) Check {
	e, ok := wif.ParseAuthentikError(t.Body)
	if !ok {
		return fail(tokenRequestExpected, responseOutcome(t.Status, t.Body), fmt.Sprintf("The token endpoint %s answered HTTP %d without an OAuth error.", t.URL, t.Status),
			"Use the token_endpoint from discovery (…/application/o/token/) and check that no proxy answers it instead of authentik.")
	}
	msg := "authentik refused the token request: " + e.Meaning() + "."
	if e.RequestID != "" {
		msg += " Look request_id " + clean(e.RequestID) + " up in authentik's event log."
	}
	return fail(tokenRequestExpected, fmt.Sprintf("HTTP %d; %s", t.Status, clean(e.String())), msg, e.Fix())
}

// decodedJWT is a readable compact JWS.
type decodedJWT struct {
	raw    string
	header map[string]any
	claims map[string]any
}

func (j *decodedJWT) headerString(name string) string {
	s, _ := j.header[name].(string)
	return s
}

const tokenFormatExpected = "a compact JWS (header.payload.signature) of at most 16384 bytes"

func (r *run) checkTokenFormat() Check {
	if r.tok == nil {
		r.jwtWhy = r.tokWhy
		return skip(tokenFormatExpected, r.tokWhy)
	}
	header, claims, err := DecodeToken(r.tok.raw)
	if err != nil {
		r.jwtWhy = "The token is not a readable JWS: see token.format."
		if errors.Is(err, ErrEncrypted) {
			r.jwtWhy = "The token is encrypted (JWE): see token.format."
		}
		return r.unreadableToken(header, err)
	}
	r.jwt = &decodedJWT{raw: r.tok.raw, header: header, claims: claims}
	actual := fmt.Sprintf("JWS, %d bytes", len(r.tok.raw))
	if len(r.tok.raw) > wif.MaxTokenBytes {
		return fail(tokenFormatExpected, actual, fmt.Sprintf("The %s is larger than the %d bytes Anthropic accepts; its claims are left out of the report.", r.tok.field, wif.MaxTokenBytes),
			"In authentik, turn off \"Include claims in id_token\" on the provider, or remove the scopes and property mappings that add large claims such as groups.")
	}
	return pass(tokenFormatExpected, actual, "The token is a signed JWT.")
}

func (r *run) unreadableToken(header map[string]any, err error) Check {
	switch {
	case errors.Is(err, ErrEncrypted):
		return fail(tokenFormatExpected, fmt.Sprintf("JWE (5 parts), alg %v, enc %v", header["alg"], header["enc"]),
			"The token is encrypted: an Encryption Key is set on the provider, and Anthropic cannot read a JWE.",
			"In authentik, edit the provider and clear its Encryption Key, then save.")
	case errors.Is(err, ErrNotJWT) && r.tok.field == wif.TokenFieldAccessToken:
		return fail(tokenFormatExpected, "opaque, not a JWT", "The access_token is not a JWT.",
			"Use the id_token: --token-field auto or id_token.")
	case errors.Is(err, ErrNotJWT):
		return fail(tokenFormatExpected, "opaque, not a JWT", "The id_token is not a JWT.",
			"authentik's id_token is always a JWT: check that the token endpoint is authentik's and that nothing rewrites the response.")
	}
	return fail(tokenFormatExpected, "malformed JWT: "+err.Error(), "The token has three parts but cannot be read.",
		"Check that nothing between authentik and this machine rewrites the token.")
}
