package wif

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// urlProblem says what is wrong with an absolute http(s) URL; "" when it is fine.
func urlProblem(label, v string) string {
	if p := spaceProblem(label, v); p != "" {
		return p
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Sprintf("%s must be an absolute URL such as https://authentik.company — you entered %q.", label, v)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%s must start with https:// (or http://) — you entered %q.", label, v)
	case u.User != nil:
		return fmt.Sprintf("%s must not contain a user name or password — remove the part before '@'.", label)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Sprintf("%s must not have a query — remove %q.", label, "?"+u.RawQuery)
	case u.Fragment != "":
		return fmt.Sprintf("%s must not have a fragment — remove %q.", label, "#"+u.Fragment)
	}
	return ""
}

// URLProblem says what is wrong with v as a URL to request: text the wizard refuses (a control or
// invisible character, invalid UTF-8), or not an absolute http(s) URL without credentials, query
// or fragment. "" when it is fine. The shape rules of each field (the issuer's trailing slash…)
// are the checks' business, not this.
func URLProblem(label, v string) string {
	if p := textProblem(FieldIssuerURL, label, v); p != "" {
		return p
	}
	return urlProblem(label, v)
}

// authentikURLProblem also rejects a pasted page address instead of authentik's base URL.
func authentikURLProblem(v string) string {
	const label = "authentik URL"
	if p := urlProblem(label, v); p != "" {
		return p
	}
	u, _ := url.Parse(v)
	for _, page := range []string{AuthentikIssuerPath, "/if/", "/api/v3"} {
		if i := strings.Index(u.Path, page); i >= 0 {
			base := u.Scheme + "://" + u.Host + u.Path[:i]
			return fmt.Sprintf("%s is authentik's base address only — you entered %q; enter %q.", label, v, base)
		}
	}
	return ""
}

// anthropicURLProblem: the SDKs refuse plain http unless the host is loopback (docs/facts.md).
func anthropicURLProblem(v string) string {
	const label = "Anthropic base URL"
	if p := urlProblem(label, v); p != "" {
		return p
	}
	u, _ := url.Parse(v)
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return fmt.Sprintf("%s must use https:// (plain http is refused except on loopback) — you entered %q.", label, v)
	}
	return ""
}

// IsLoopbackHost reports whether host (a name or an IP literal, without brackets) is this machine:
// "localhost" or a loopback address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
