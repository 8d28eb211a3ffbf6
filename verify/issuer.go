package verify

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

func (r *run) issuerURLExpected() string {
	exp := "equal to the token's iss byte for byte; https on port 443 with a public DNS name where Anthropic fetches from it"
	if r.glance.kind.Authentik() {
		exp += "; ending with '/' like authentik's issuer"
	}
	return exp
}

// urlProblem is one thing wrong with the issuer URL, with its verdict for the Console's JWKS
// source.
type urlProblem struct {
	status Status
	what   string
}

// checkIssuerURL names every problem of the issuer URL at once. Anthropic compares it with iss
// byte for byte and fetches discovery and JWKS only from https on 443 with a public DNS name
// (docs/facts.md); with inline keys or a separate discovery base it fetches nothing from it, so
// those problems only warn.
func (r *run) checkIssuerURL() Check {
	raw, exp := r.cfg.IssuerURL, r.issuerURLExpected()
	if raw == "" {
		return fail(exp, "(none)", "No issuer URL is configured.", "Enter the Console's Issuer URL: exactly the iss your issuer puts in its tokens ("+authentikIssuerExample+" for authentik).")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fail(exp, quote(raw), "The issuer URL is not an absolute http(s) URL.",
			"Set the Console's Issuer URL to exactly the iss your issuer puts in its tokens ("+authentikIssuerExample+" for authentik).")
	}
	var problems []urlProblem
	var fixes []string
	if p, fix := r.shapeProblem(u); p.what != "" {
		problems, fixes = append(problems, p), append(fixes, fix)
	}
	reach, reachFixes := r.reachVerdict(u)
	problems, fixes = append(problems, reach...), append(fixes, reachFixes...)
	if len(problems) == 0 {
		return pass(exp, quote(raw), r.reachablePass())
	}
	return r.urlVerdict(exp, raw, problems, fixes)
}

const authentikIssuerExample = "https://<authentik host>/application/o/<slug>/"

func (r *run) reachablePass() string {
	switch r.jwksSource() {
	case sourceInline:
		return "The issuer URL is well formed; the Console uses inline keys, so Anthropic only compares it with iss."
	case sourceDiscoveryBase:
		return "The issuer URL is well formed; Anthropic fetches discovery from the discovery base " + r.cfg.DiscoveryBase + "."
	}
	return "Anthropic can fetch discovery and JWKS from this issuer."
}

func (r *run) urlVerdict(exp, raw string, problems []urlProblem, fixes []string) Check {
	status := Warn
	var whats []string
	for _, p := range problems {
		if p.status == Fail {
			status = Fail
		}
		whats = append(whats, p.what)
	}
	msg := "The issuer URL: " + strings.Join(whats, "; ") + "."
	fix := strings.Join(slices.Compact(fixes), " ")
	if status == Fail {
		return fail(exp, quote(raw), msg, fix)
	}
	return warn(exp, quote(raw), msg, fix)
}

// shapeProblem: an issuer identifier has no query or fragment (OpenID Connect Discovery), and
// authentik's issuer ends with '/'. For the slash, discovery's issuer and the token's iss are
// the judges: only they say what authentik really puts in iss.
func (r *run) shapeProblem(u *url.URL) (urlProblem, string) {
	raw := r.cfg.IssuerURL
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return urlProblem{Fail, "it has a query or fragment, which an OpenID issuer identifier never has"},
			"Set the Console's Issuer URL to exactly the iss your issuer puts in its tokens, without '?' or '#'."
	}
	if !r.authentikSlashExpected(u) {
		return urlProblem{}, ""
	}
	seen := []string{r.glance.discIssuer, r.glance.tokenIssuer}
	switch {
	case slices.Contains(seen, raw):
		return urlProblem{}, "" // the issuer itself names it without the slash
	case slices.Contains(seen, raw+"/"):
		return urlProblem{Fail, fmt.Sprintf("it does not end with '/', and authentik's issuer does: %s %q", r.whoNamed(raw+"/"), raw+"/")},
			fmt.Sprintf("Set the Console's Issuer URL to exactly %q.", raw+"/")
	}
	return urlProblem{Warn, "it does not end with '/', as authentik's issuer usually does; neither discovery nor a token confirmed it (discovery.issuer and claim.iss are the judges)"},
		fmt.Sprintf("Compare with the iss of a token from this provider: authentik's per-provider issuer is %q.", raw+"/")
}

// authentikSlashExpected: authentik's per-provider issuer is …/application/o/<slug>/, its global
// issuer https://<host>/ (docs/facts.md, authentik: "Issuer"); any other issuer is whatever it says it is.
func (r *run) authentikSlashExpected(u *url.URL) bool {
	if strings.HasSuffix(u.Path, "/") {
		return false
	}
	switch r.glance.kind {
	case wif.IssuerAuthentik:
		return true
	case wif.IssuerAuthentikGlobal:
		return u.Path == ""
	}
	return false
}

// whoNamed says which observations name iss, with the verb.
func (r *run) whoNamed(iss string) string {
	var who []string
	if r.glance.discIssuer == iss {
		who = append(who, "discovery")
	}
	if r.glance.tokenIssuer == iss {
		who = append(who, "the token")
	}
	if len(who) == 2 {
		return "discovery and the token name"
	}
	return who[0] + " names"
}

// jwksSource is where Anthropic gets the keys: inline, discovery below a separate discovery
// base, or discovery below the issuer URL.
type jwksSource int

const (
	sourceIssuer jwksSource = iota
	sourceDiscoveryBase
	sourceInline
)

func (r *run) jwksSource() jwksSource {
	switch {
	case r.cfg.InlineJWKS != nil:
		return sourceInline
	case r.cfg.DiscoveryBase != "" && strings.TrimSuffix(r.cfg.DiscoveryBase, "/") != wif.DiscoveryBaseFor(r.cfg.IssuerURL):
		return sourceDiscoveryBase
	}
	return sourceIssuer
}

// reachVerdict lists what keeps Anthropic from fetching from the issuer URL (or the discovery
// base it fetches instead), each with its verdict for the JWKS source, and the fixes.
func (r *run) reachVerdict(u *url.URL) ([]urlProblem, []string) {
	src := r.jwksSource()
	whats := reachProblems(u)
	if src != sourceInline {
		whats = append(whats, r.privateHost(u)...)
	}
	var (
		problems []urlProblem
		fixes    []string
	)
	if len(whats) > 0 {
		consequence, status := "Anthropic cannot fetch discovery and JWKS from it", Fail
		switch src {
		case sourceInline:
			consequence, status = "the Console uses inline keys, so Anthropic fetches nothing from it and only compares it with iss", Warn
		case sourceDiscoveryBase:
			consequence, status = "Anthropic fetches discovery from the discovery base "+r.cfg.DiscoveryBase+" and only compares this URL with iss", Warn
		}
		problems = append(problems, urlProblem{status, strings.Join(whats, "; ") + " — " + consequence})
		fixes = append(fixes, r.reachFix(src))
	}
	if src == sourceDiscoveryBase {
		if p, fix := r.discoveryBaseProblem(); p.what != "" {
			problems, fixes = append(problems, p), append(fixes, fix)
		}
	}
	return problems, fixes
}

// reachProblems are the URL's own obstacles: scheme, port, IP literal.
func reachProblems(u *url.URL) []string {
	var ps []string
	if u.Scheme != "https" {
		ps = append(ps, "it uses "+u.Scheme+", not https")
	}
	if p := u.Port(); p != "" && p != "443" {
		ps = append(ps, "it uses port "+p+", not 443")
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		what := "its host is an IP address, not a DNS name"
		if c := addrClass(a); c != "" {
			what += " (and a " + c + " one)"
		}
		ps = append(ps, what)
	}
	return ps
}

// privateHost says when the issuer's DNS name resolved here only to addresses the internet cannot
// reach; issuer.public has the details.
func (r *run) privateHost(u *url.URL) []string {
	if _, err := netip.ParseAddr(u.Hostname()); err == nil || len(r.obs.IssuerAddrs) == 0 {
		return nil
	}
	for _, s := range r.obs.IssuerAddrs {
		if a, err := netip.ParseAddr(s); err == nil && addrClass(a) == "" {
			return nil
		}
	}
	return []string{"its host resolves here only to non-public addresses (see issuer.public)"}
}

// discoveryBaseProblem: with a separate discovery base, that is the URL Anthropic fetches.
func (r *run) discoveryBaseProblem() (urlProblem, string) {
	b, err := url.Parse(r.cfg.DiscoveryBase)
	if err != nil || b.Host == "" {
		return urlProblem{Fail, "the discovery base " + quote(r.cfg.DiscoveryBase) + " is not an absolute URL"},
			"Set the Console's discovery base to an https URL on port 443, or leave it empty to use the issuer URL."
	}
	whats := reachProblems(b)
	if len(whats) == 0 {
		return urlProblem{}, ""
	}
	return urlProblem{Fail, "the discovery base " + r.cfg.DiscoveryBase + ": " + strings.Join(whats, "; ") + " — Anthropic cannot fetch discovery from it"},
		r.reachFix(sourceIssuer)
}

func (r *run) reachFix(src jwksSource) string {
	switch src {
	case sourceInline:
		return "Keep the Console's JWKS source on inline keys, and paste the JWKS again after every key change" + r.byKind(" (the provider's Signing Key in authentik).", ".")
	case sourceDiscoveryBase:
		return "Nothing to change for Anthropic's fetches while the Console's discovery base is public; the Issuer URL must still equal the token's iss byte for byte."
	}
	return r.byKind("Publish authentik at https://<public DNS name>/ on port 443, or set the Console's JWKS source to inline keys and paste the provider's JWKS.",
		"Publish the issuer at https://<public DNS name>/ on port 443, or set the Console's JWKS source to inline keys and paste the issuer's JWKS.")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
