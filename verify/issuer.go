package verify

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

const issuerURLExpected = "https on port 443, a DNS name (not an IP address), ending with '/'"

// checkIssuerURL: Anthropic fetches discovery and JWKS only from https on 443 with a public DNS
// name (anthropic.md); with inline keys it fetches nothing, so those problems only warn.
func (r *run) checkIssuerURL() Check {
	raw := r.cfg.IssuerURL
	if raw == "" {
		return fail(issuerURLExpected, "(none)", "No issuer URL is configured.",
			"Enter the Console's Issuer URL: authentik's issuer, https://<authentik host>/application/o/<slug>/.")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fail(issuerURLExpected, quote(raw), "The issuer URL is not an absolute http(s) URL.",
			"Set the Console's Issuer URL to authentik's issuer, https://<authentik host>/application/o/<slug>/.")
	}
	if p := issuerShapeProblem(u); p != "" {
		return fail(issuerURLExpected, quote(raw), p, "Set the Console's Issuer URL to exactly the iss authentik puts in its tokens, trailing slash included.")
	}
	if reach := reachProblems(u); len(reach) > 0 {
		return r.unreachableIssuer(raw, reach)
	}
	return pass(issuerURLExpected, quote(raw), "Anthropic can fetch discovery and JWKS from this issuer.")
}

func issuerShapeProblem(u *url.URL) string {
	switch {
	case u.RawQuery != "" || u.Fragment != "":
		return "The issuer URL has a query or fragment; authentik's issuer has neither."
	case !strings.HasSuffix(u.Path, "/"):
		return "The issuer URL does not end with '/'; authentik's issuer always does (…/application/o/<slug>/), and Anthropic compares iss byte for byte."
	}
	return ""
}

// reachProblems lists what keeps Anthropic from fetching from u.
func reachProblems(u *url.URL) []string {
	var ps []string
	if u.Scheme != "https" {
		ps = append(ps, "it uses "+u.Scheme+", not https")
	}
	if p := u.Port(); p != "" && p != "443" {
		ps = append(ps, "it uses port "+p+", not 443")
	}
	if _, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		ps = append(ps, "its host is an IP address, not a DNS name")
	}
	return ps
}

func (r *run) unreachableIssuer(raw string, reach []string) Check {
	msg := "Anthropic cannot use discovery for this issuer: " + strings.Join(reach, "; ") + "."
	if r.cfg.InlineJWKS != nil {
		return warn(issuerURLExpected, quote(raw), msg+" The Console uses inline JWKS, so Anthropic fetches nothing from it.",
			"Keep the Console's JWKS source on inline keys, and paste the JWKS again after every key change in authentik.")
	}
	return fail(issuerURLExpected, quote(raw), msg,
		"Publish authentik at https://<public DNS name>/ on port 443, or set the Console's JWKS source to inline keys and paste the provider's JWKS.")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
