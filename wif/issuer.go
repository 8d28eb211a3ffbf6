package wif

import (
	"net/url"
	"strings"
)

// IssuerKind is what an issuer's URLs tell of the software behind it. It decides which advice a
// report may give: authentik's settings and URL conventions only for authentik, the generic
// OpenID wording for every other issuer.
type IssuerKind int

const (
	// IssuerGeneric is any OpenID issuer wifwiz cannot recognise as authentik.
	IssuerGeneric IssuerKind = iota
	// IssuerAuthentik is authentik's per-provider issuer, <base>/application/o/<slug>/.
	IssuerAuthentik
	// IssuerAuthentikGlobal is authentik's global issuer, <base>/, recognised only by endpoints
	// under <base>/application/o/ (the issuer URL alone looks like any other).
	IssuerAuthentikGlobal
)

// Authentik reports whether the issuer has one of authentik's shapes.
func (k IssuerKind) Authentik() bool { return k != IssuerGeneric }

func (k IssuerKind) String() string {
	switch k {
	case IssuerAuthentik:
		return "authentik (per-provider issuer)"
	case IssuerAuthentikGlobal:
		return "authentik (global issuer)"
	}
	return "generic OpenID issuer"
}

// KindOfIssuer classifies an issuer URL (docs/facts.md, authentik: "Endpoints" and "Issuer"). endpoints are
// URLs seen for the same issuer — discovery's token_endpoint and jwks_uri, a discovery base — and
// recognise authentik's global issuer; empty ones are ignored.
func KindOfIssuer(issuerURL string, endpoints ...string) IssuerKind {
	if _, _, ok := AuthentikIssuerParts(issuerURL); ok {
		return IssuerAuthentik
	}
	iss, err := url.Parse(issuerURL)
	if err != nil || iss.Host == "" {
		return IssuerGeneric
	}
	root := strings.TrimSuffix(iss.Path, "/")
	for _, e := range endpoints {
		u, err := url.Parse(e)
		if err != nil || !SameOrigin(issuerURL, e) {
			continue
		}
		if strings.HasPrefix(u.Path, root+AuthentikIssuerPath) {
			return IssuerAuthentikGlobal
		}
	}
	return IssuerGeneric
}

// AuthentikIssuerParts splits an issuer URL of authentik's per-provider shape,
// <base>/application/o/<slug>/ (the trailing slash optional), into base and slug.
func AuthentikIssuerParts(issuerURL string) (base, slug string, ok bool) {
	u, err := url.Parse(issuerURL)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", "", false
	}
	prefix, rest, found := strings.Cut(u.Path, AuthentikIssuerPath)
	slug = strings.TrimSuffix(rest, "/")
	if !found || slug == "" || strings.Contains(slug, "/") || slug == "token" {
		return "", "", false
	}
	return u.Scheme + "://" + u.Host + prefix, slug, true
}

// AuthentikTokenURL is the token endpoint of an authentik-shaped issuer, one for the whole
// instance: <base>/application/o/token/. "" when the issuer does not have that shape.
func AuthentikTokenURL(issuerURL string) string {
	base, _, ok := AuthentikIssuerParts(issuerURL)
	if !ok {
		return ""
	}
	return base + AuthentikIssuerPath + "token/"
}

// AuthentikJWKSURL is the JWKS of an authentik-shaped issuer: <base>/application/o/<slug>/jwks/.
// "" when the issuer does not have that shape.
func AuthentikJWKSURL(issuerURL string) string {
	base, slug, ok := AuthentikIssuerParts(issuerURL)
	if !ok {
		return ""
	}
	return base + AuthentikIssuerPath + slug + "/jwks/"
}

// Origin is a URL's scheme, host and port, lower-cased and without the scheme's default port;
// "" when raw is not an absolute http(s) URL.
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		return scheme + "://" + host
	}
	return scheme + "://" + host + ":" + port
}

// SameOrigin reports whether two absolute http(s) URLs share scheme, host and port.
func SameOrigin(a, b string) bool {
	oa := Origin(a)
	return oa != "" && oa == Origin(b)
}

// TrustedEndpoint reports whether a URL named by a discovery document may be fetched, and
// receive the client secret: only on the issuer's own origin, or the configured discovery
// base's. Anything else would let a discovery document send wifwiz, and the secret, elsewhere.
func TrustedEndpoint(issuerURL, discoveryBase, endpoint string) bool {
	return SameOrigin(issuerURL, endpoint) || discoveryBase != "" && SameOrigin(discoveryBase, endpoint)
}
