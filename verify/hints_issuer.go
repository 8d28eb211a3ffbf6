package verify

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// issuerDiffKind names how an observed issuer differs from the Console's.
type issuerDiffKind int

const (
	issMissing issuerDiffKind = iota
	issSlash
	issCase
	issScheme
	issHost
	issGlobal
	issSlug
	issOther
)

// issuerDiff is how got (from authentik) differs from want (the Console's Issuer URL).
type issuerDiff struct {
	kind      issuerDiffKind
	want, got string
	w, g      *url.URL
}

func compareIssuers(want, got string) issuerDiff {
	d := issuerDiff{want: want, got: got}
	d.w, _ = url.Parse(want)
	d.g, _ = url.Parse(got)
	d.kind = d.classify()
	return d
}

func (d issuerDiff) classify() issuerDiffKind {
	switch {
	case d.got == "":
		return issMissing
	case strings.TrimSuffix(d.want, "/") == strings.TrimSuffix(d.got, "/"):
		return issSlash
	case strings.EqualFold(d.want, d.got):
		return issCase
	case d.w == nil || d.g == nil:
		return issOther
	case d.w.Host == d.g.Host && d.w.Path == d.g.Path && d.w.Scheme != d.g.Scheme:
		return issScheme
	case d.w.Host != d.g.Host && d.w.Path == d.g.Path:
		return issHost
	case strings.Contains(d.w.Path, wif.AuthentikIssuerPath) && strings.Trim(d.g.Path, "/") == "":
		return issGlobal
	case slugOf(d.w.Path) != "" && slugOf(d.g.Path) != "":
		return issSlug
	}
	return issOther
}

// slugOf is the application slug in an authentik issuer path, "" when there is none.
func slugOf(path string) string {
	_, rest, ok := strings.Cut(path, wif.AuthentikIssuerPath)
	if !ok {
		return ""
	}
	return strings.TrimSuffix(rest, "/")
}

// what says precisely how they differ; subject names where got came from.
func (d issuerDiff) what(subject string) string {
	switch d.kind {
	case issMissing:
		return subject + " is missing"
	case issSlash:
		if strings.HasSuffix(d.got, "/") {
			return subject + " ends with '/', the Console's Issuer URL does not"
		}
		return "the Console's Issuer URL ends with '/', " + subject + " does not"
	case issCase:
		return subject + " differs only in letter case, and the comparison is case-sensitive"
	case issScheme:
		return fmt.Sprintf("%s uses %s, the Console's Issuer URL %s", subject, d.g.Scheme, d.w.Scheme)
	case issHost:
		return fmt.Sprintf("%s has host %q, the Console's Issuer URL %q", subject, d.g.Host, d.w.Host)
	case issGlobal:
		return subject + " is authentik's global issuer, without the application slug"
	case issSlug:
		return fmt.Sprintf("%s names application slug %q, the Console's Issuer URL %q", subject, slugOf(d.g.Path), slugOf(d.w.Path))
	}
	return fmt.Sprintf("%s is %q", subject, d.got)
}

// tokenFix says what to change when the token's iss differs.
func (d issuerDiff) tokenFix() string {
	switch d.kind {
	case issHost:
		return fmt.Sprintf("authentik builds iss from the host the client used: request tokens through the public URL %s://%s/ (or set the Console's Issuer URL to %q if that host is the public one).", d.w.Scheme, d.w.Host, d.got)
	case issScheme:
		if d.g.Scheme == "http" {
			return "authentik saw the token request as plain http: make the reverse proxy in front of authentik send X-Forwarded-Proto: https, or request tokens over https."
		}
	case issMissing:
		return "authentik always sets iss: check that the token comes from authentik's token endpoint."
	}
	return d.commonFix()
}

// discoveryFix says what to change when discovery's issuer differs; u is where it was fetched.
func (d issuerDiff) discoveryFix(u string) string {
	switch d.kind {
	case issHost:
		return fmt.Sprintf("authentik builds the issuer from the host of the request, and wifwiz fetched %s: set the discovery base to %q (the public URL), or set the Console's Issuer URL to %q if that host is the public one.", u, wif.DiscoveryBaseFor(d.want), d.got)
	case issScheme:
		if d.g.Scheme == "http" {
			return "authentik saw the discovery request as plain http: make the reverse proxy in front of authentik send X-Forwarded-Proto: https."
		}
	case issMissing:
		return "The document has no issuer: check that the discovery base points at authentik."
	}
	return d.commonFix()
}

func (d issuerDiff) commonFix() string {
	switch d.kind {
	case issSlash:
		return fmt.Sprintf("Set the Console's Issuer URL to exactly %q.", d.got)
	case issGlobal:
		return fmt.Sprintf("In authentik, set the provider's Issuer mode to per provider (\"Each provider has a different issuer, based on the application slug\"), or set the Console's Issuer URL to %q.", d.got)
	case issSlug:
		return fmt.Sprintf("Use the provider attached to application %q, or set the Console's Issuer URL to %q if this is the provider to trust.", slugOf(d.w.Path), d.got)
	}
	return fmt.Sprintf("Set the Console's Issuer URL to exactly %q if this authentik provider is the one to trust.", d.got)
}
