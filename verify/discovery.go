package verify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/wifwiz/wifwiz/wif"
)

// discoveryDoc is a discovery document, parsed by go-oidc's oidc.ProviderConfig, and where it
// was fetched.
type discoveryDoc struct {
	oidc.ProviderConfig
	url string
}

// discoveryJSON decodes a discovery document into an oidc.ProviderConfig. The members go-oidc
// reads but no check uses are shadowed by raw values, so that a wrong type there does not fail
// discovery: only issuer, token_endpoint, jwks_uri and id_token_signing_alg_values_supported
// must have the right type. The shadowed members are then copied over where they are strings.
type discoveryJSON struct {
	oidc.ProviderConfig
	AuthURL       json.RawMessage `json:"authorization_endpoint"`
	DeviceAuthURL json.RawMessage `json:"device_authorization_endpoint"`
	UserInfoURL   json.RawMessage `json:"userinfo_endpoint"`
}

// ParseDiscovery reads a discovery document with go-oidc's ProviderConfig, as every check and
// every request that follows discovery reads it; its errors are json.Unmarshal's.
func ParseDiscovery(body []byte) (oidc.ProviderConfig, error) {
	var d discoveryJSON
	if err := json.Unmarshal(body, &d); err != nil {
		return oidc.ProviderConfig{}, err
	}
	pc := d.ProviderConfig
	for _, m := range []struct {
		raw json.RawMessage
		dst *string
	}{{d.AuthURL, &pc.AuthURL}, {d.DeviceAuthURL, &pc.DeviceAuthURL}, {d.UserInfoURL, &pc.UserInfoURL}} {
		_ = json.Unmarshal(m.raw, m.dst) // best effort: no check reads these
	}
	return pc, nil
}

// discoveryURL is where discovery was (or would be) fetched.
func (r *run) discoveryURL() string {
	if r.obs.Discovery.URL != "" {
		return r.obs.Discovery.URL
	}
	base := r.cfg.DiscoveryBase
	if base == "" {
		base = wif.DiscoveryBaseFor(r.cfg.IssuerURL)
	}
	return wif.DiscoveryURLFor(base)
}

func (r *run) checkDiscovery() Check {
	u := r.discoveryURL()
	exp := "GET " + u + " → 200 with JSON"
	f := r.obs.Discovery
	if !attempted(f) {
		r.discWhy = "Discovery was not fetched."
		return skip(exp, r.discWhy)
	}
	if f.Err != "" || f.Status != http.StatusOK {
		r.discWhy = "Discovery failed: see discovery."
		return fail(exp, r.fetchOutcome(f), fmt.Sprintf("Discovery at %s did not answer 200.", u), r.discoveryFix(f))
	}
	pc, err := ParseDiscovery(f.Body)
	if err != nil {
		r.discWhy = "Discovery did not return a JSON document: see discovery."
		return fail(exp, r.responseOutcome(f.URL, f.Status, f.Body), fmt.Sprintf("Discovery at %s is not an OpenID configuration document (%v).", u, jsonProblem(err)),
			"Check the discovery base: it is the issuer URL without its trailing slash, and a proxy in front of "+r.issuerName()+" must not answer this path itself.")
	}
	doc := &discoveryDoc{ProviderConfig: pc, url: u}
	r.disc = doc
	return r.discoveryVerdict(exp, doc)
}

func (r *run) discoveryVerdict(exp string, doc *discoveryDoc) Check {
	actual := fmt.Sprintf("HTTP 200; issuer %q, jwks_uri %q, algorithms [%s]", doc.IssuerURL, doc.JWKSURL, strings.Join(shortAll(doc.Algorithms), " "))
	if len(doc.Algorithms) > 0 && !slices.ContainsFunc(doc.Algorithms, wif.AlgorithmAllowed) {
		return warn(exp, actual, fmt.Sprintf("Discovery lists only %s%s.", strings.Join(shortAll(doc.Algorithms), ", "),
			r.byKind(": authentik signs with the client secret because no Signing Key is selected on the provider", ", none of which Anthropic accepts")),
			r.signingKeyFix())
	}
	return pass(exp, actual, "Discovery answered with a JSON document.")
}

func (r *run) discoveryFix(f Fetch) string {
	switch {
	case f.Err != "":
		return "Check that the discovery base is " + r.byKind("authentik's", "the issuer's") + " public address (the issuer URL without its trailing slash) and that this machine can reach it."
	case f.Status == http.StatusNotFound && r.authentik():
		return "Check the application slug in the issuer URL: authentik answers 404 for an unknown slug, or when the provider is not attached to the application."
	}
	return "Check that the discovery base is the issuer URL without its trailing slash and that no proxy blocks /.well-known/openid-configuration."
}

// jsonProblem shortens a JSON error to its kind; it never quotes more than a character of input.
func jsonProblem(err error) string {
	if _, ok := err.(*json.UnmarshalTypeError); ok {
		return "a member has the wrong type"
	}
	return "not valid JSON"
}

const discoveryIssuerExpected = "discovery's issuer equals the Console's Issuer URL byte for byte"

func (r *run) checkDiscoveryIssuer() Check {
	if r.disc == nil {
		return skip(discoveryIssuerExpected, r.discWhy)
	}
	got, want := r.disc.IssuerURL, r.cfg.IssuerURL
	exp := quote(want)
	if got == want {
		return pass(exp, quote(got), "Discovery names the issuer the Console expects.")
	}
	d := compareIssuers(want, got)
	return fail(exp, quote(got), "Discovery's issuer differs from the Console's Issuer URL: "+d.what("discovery's issuer")+".", d.discoveryFix(r.disc.url, r.authentik()))
}

// TokenEndpoint is the token_endpoint of a fetched discovery document, read as the checks read
// it; the error says what to give instead.
func TokenEndpoint(f Fetch) (string, error) {
	switch {
	case f.Err != "":
		return "", fmt.Errorf("discovery at %s: %s", f.URL, f.Err)
	case f.Status != http.StatusOK:
		return "", fmt.Errorf("discovery at %s answered HTTP %d; check the issuer URL or discovery base, or record the token URL", f.URL, f.Status)
	}
	pc, err := ParseDiscovery(f.Body)
	if err != nil || pc.TokenURL == "" {
		return "", fmt.Errorf("discovery at %s names no token_endpoint; record the token URL", f.URL)
	}
	return pc.TokenURL, nil
}

// shortAll is short of each value from the network.
func shortAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = short(s)
	}
	return out
}
