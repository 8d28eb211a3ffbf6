package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

const tokenRequestExpected = "HTTP 200 with an id_token (or a JWT access_token)"

func (r *run) checkTokenRequest() Check {
	t := r.obs.Token
	if t == nil {
		return r.tokenNotRequested()
	}
	r.tokWhy = "The token request failed: see token.request."
	if t.Err != "" {
		return fail(tokenRequestExpected, "no response: "+clean(t.Err), fmt.Sprintf("The token request to %s got no response.", t.URL),
			r.byKind("Check that authentik's token endpoint (…/application/o/token/) is reachable from this machine.", "Check that the token endpoint from discovery is reachable from this machine."))
	}
	if t.Status != http.StatusOK {
		return r.tokenError(t)
	}
	var resp tokenResponse
	if err := json.Unmarshal(t.Body, &resp); err != nil {
		return fail(tokenRequestExpected, fmt.Sprintf("HTTP 200, %d bytes, %s", len(t.Body), jsonProblem(err)), "The token endpoint answered 200 but not with a token response.",
			"Use the token_endpoint from discovery; a proxy in front of "+r.issuerName()+" must not rewrite it.")
	}
	picked, err := pickToken(resp, r.cfg.TokenField)
	if err != nil {
		var pe *PickError
		errors.As(err, &pe)
		return fail(tokenRequestExpected, "HTTP 200; "+pe.Problem, r.issuerSubject()+" answered without the token to verify: "+pe.Problem+".", upperFirst(pe.Fix)+".")
	}
	r.tok, r.tokWhy = picked, ""
	return pass(tokenRequestExpected, tokenActual(picked, r.obs.Redactor), r.issuerSubject()+" issued a token.")
}

// tokenNotRequested says truly why there is no token: the observer's reason, or what the
// observation shows.
func (r *run) tokenNotRequested() Check {
	switch r.obs.TokenSkipped {
	case TokenSkipNoSecret:
		r.tokWhy = "No token was requested: no client secret was given."
		return skip(tokenRequestExpected, r.tokWhy)
	case TokenSkipForeignEndpoint:
		r.tokWhy = "No token was requested: see token.request."
		ep := r.glance.discEndpoint.token
		return fail(tokenRequestExpected, "not requested: token_endpoint "+quote(short(ep))+" is on another origin",
			fmt.Sprintf("Discovery names the token endpoint %s, which is not on the issuer's origin (%s); wifwiz never sends the client secret to another origin.", short(ep), wif.Origin(r.cfg.IssuerURL)),
			"If that endpoint really belongs to the issuer, give it as the token URL (--token-url, or the token URL field); otherwise find out what answers discovery for this issuer.")
	case TokenSkipNoEndpoint:
		if r.disc != nil {
			r.tokWhy = "No token was requested: see token.request."
			return fail(tokenRequestExpected, "not requested: discovery names no token_endpoint", "Discovery names no token endpoint, and no token URL was given.",
				"Give the issuer's token endpoint as the token URL (--token-url, or the token URL field).")
		}
		r.tokWhy = "No token was requested: discovery failed, so no token endpoint is known (see discovery)."
		return skip(tokenRequestExpected, r.tokWhy+" Give the token URL to request a token anyway.")
	}
	r.tokWhy = "No token was requested."
	return skip(tokenRequestExpected, r.tokWhy)
}

// tokenActual quotes the members of a token response beside the tokens, each redacted before
// it is cut.
func tokenActual(t *pickedToken, red *redact.Redactor) string {
	return fmt.Sprintf("HTTP 200; %s (%d bytes), token_type %q, expires_in %s, scope %s",
		t.field, len(t.raw), short(red.String(t.resp.TokenType)), rawMember(t.resp.ExpiresIn, "s", red), rawMember(t.resp.Scope, "", red))
}

// rawMember shows a response member as sent: "not given" when absent, a string quoted, a
// number with its unit.
func rawMember(raw json.RawMessage, unit string, red *redact.Redactor) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "not given"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return quote(short(red.String(s)))
	}
	shown := short(red.String(string(raw)))
	if unit != "" {
		shown += " " + unit
	}
	return shown
}

// tokenError explains a refused client-credentials request: the OAuth error quoted as received,
// what it means for this kind of issuer, and the request ID only when there is one.
func (r *run) tokenError(t *TokenResponse) Check {
	e, ok := wif.ParseAuthentikError(t.Body)
	if !ok {
		return fail(tokenRequestExpected, r.responseOutcome(t.URL, t.Status, t.Body), fmt.Sprintf("The token endpoint %s answered HTTP %d without an OAuth error.", t.URL, t.Status),
			r.byKind("Use the token_endpoint from discovery (…/application/o/token/) and check that no proxy answers it instead of authentik.",
				"Use the token_endpoint from discovery and check that no proxy answers it instead of the issuer."))
	}
	e.Code, e.Description, e.RequestID = short(e.Code), short(e.Description), short(e.RequestID)
	quoted := e.Quoted()
	msg := fmt.Sprintf("%s refused the token request with %s.", r.issuerSubject(), quoted)
	if m := e.Meaning(r.glance.kind); m != "" {
		if !strings.HasPrefix(m, "authentik") {
			m = upperFirst(m)
		}
		msg += " " + m + "."
	}
	if e.RequestID != "" && r.authentik() {
		msg += " Look request_id " + quote(e.RequestID) + " up in authentik's event log."
	}
	return fail(tokenRequestExpected, fmt.Sprintf("HTTP %d; %s", t.Status, quoted), msg, e.Fix(r.glance.kind))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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
			r.byKind("In authentik, turn off \"Include claims in id_token\" on the provider, or remove the scopes and property mappings that add large claims such as groups.",
				"Request fewer scopes, or configure the issuer to leave large claims such as groups out of the token."))
	}
	return pass(tokenFormatExpected, actual, "The token is a signed JWT.")
}

func (r *run) unreadableToken(header map[string]any, err error) Check {
	switch {
	case errors.Is(err, ErrEncrypted):
		return fail(tokenFormatExpected, fmt.Sprintf("JWE (5 parts), alg %v, enc %v", header["alg"], header["enc"]),
			r.byKind("The token is encrypted: an Encryption Key is set on the provider, and Anthropic cannot read a JWE.", "The token is encrypted (a JWE), and Anthropic cannot read a JWE."),
			r.byKind("In authentik, edit the provider and clear its Encryption Key, then save.", "Turn off identity token encryption for this client at the issuer."))
	case errors.Is(err, ErrNotJWT) && r.tok.field == wif.TokenFieldAccessToken:
		return fail(tokenFormatExpected, "opaque, not a JWT", "The access_token is not a JWT.",
			"Use the id_token: --token-field auto or id_token.")
	case errors.Is(err, ErrNotJWT):
		return fail(tokenFormatExpected, "opaque, not a JWT", "The id_token is not a JWT.",
			r.byKind("authentik's id_token is always a JWT: check that the token endpoint is authentik's and that nothing rewrites the response.",
				"An id_token is always a JWT: check that the token endpoint is the issuer's and that nothing rewrites the response."))
	}
	return fail(tokenFormatExpected, "malformed JWT: "+err.Error(), "The token has three parts but cannot be read.",
		"Check that nothing between "+r.issuerName()+" and this machine rewrites the token.")
}
