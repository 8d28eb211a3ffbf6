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
func (d issuerDiff) what(subject string) string { return d.whatVs(subject, "the Console's Issuer URL") }

// whatVs is what, with want named wantName.
func (d issuerDiff) whatVs(subject, wantName string) string {
	switch d.kind {
	case issMissing:
		return subject + " is missing"
	case issSlash:
		if strings.HasSuffix(d.got, "/") {
			return subject + " ends with '/', " + wantName + " does not"
		}
		return wantName + " ends with '/', " + subject + " does not"
	case issCase:
		return subject + " differs only in letter case, and the comparison is case-sensitive"
	case issScheme:
		return fmt.Sprintf("%s uses %s, %s %s", subject, d.g.Scheme, wantName, d.w.Scheme)
	case issHost:
		return fmt.Sprintf("%s has host %q, %s %q", subject, d.g.Host, wantName, d.w.Host)
	case issGlobal:
		return subject + " is authentik's global issuer, without the application slug"
	case issSlug:
		return fmt.Sprintf("%s names application slug %q, %s %q", subject, slugOf(d.g.Path), wantName, slugOf(d.w.Path))
	}
	return fmt.Sprintf("%s is %q", subject, d.got)
}

// hostOf is the host of a URL, "" when unreadable.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// tokenFix says what to change when the token's iss differs; tokenURL is where the token was
// requested. authentik builds iss from the host the request reached it through; another issuer's
// iss is set in its configuration, whatever host it is reached through.
func (d issuerDiff) tokenFix(tokenURL string, authentik bool) string {
	switch d.kind {
	case issHost:
		if !authentik {
			return d.configuredIssuerFix("the token's iss")
		}
		if used := hostOf(tokenURL); used != "" && used != d.w.Host {
			return fmt.Sprintf("authentik builds iss from the host the client used, and the token was requested from %s: request tokens through the public URL %s://%s/ (token endpoint %s://%s%s), or set the Console's Issuer URL to %q if %s is the public host.",
				used, d.w.Scheme, d.w.Host, d.w.Scheme, d.w.Host, pathOf(tokenURL), d.got, d.g.Host)
		}
		return d.rewrittenHostFix("the token")
	case issScheme:
		if d.g.Scheme == "http" && authentik {
			return "authentik saw the token request as plain http: make the reverse proxy in front of authentik send X-Forwarded-Proto: https, or request tokens over https."
		}
		if !authentik {
			return d.configuredIssuerFix("the token's iss")
		}
	case issMissing:
		if authentik {
			return "authentik always sets iss: check that the token comes from authentik's token endpoint."
		}
		return "An identity token always has iss: check that the token comes from the issuer's token endpoint."
	}
	return d.commonFix(authentik)
}

// discoveryFix says what to change when discovery's issuer differs; u is where it was fetched.
func (d issuerDiff) discoveryFix(u string, authentik bool) string {
	switch d.kind {
	case issHost:
		if !authentik {
			return d.configuredIssuerFix("discovery's issuer")
		}
		if used := hostOf(u); used != "" && used != d.w.Host {
			return fmt.Sprintf("authentik builds the issuer from the host of the request, and wifwiz fetched discovery from %s: set the discovery base to %q (the public URL), or set the Console's Issuer URL to %q if %s is the public host.",
				used, wif.DiscoveryBaseFor(d.want), d.got, d.g.Host)
		}
		return d.rewrittenHostFix("discovery")
	case issScheme:
		if d.g.Scheme == "http" && authentik {
			return "authentik saw the discovery request as plain http: make the reverse proxy in front of authentik send X-Forwarded-Proto: https."
		}
		if !authentik {
			return d.configuredIssuerFix("discovery's issuer")
		}
	case issMissing:
		return "The document has no issuer: check that the discovery base points at the issuer."
	}
	return d.commonFix(authentik)
}

// rewrittenHostFix: the request went to the Console's host, yet authentik answered with another
// one, so something between rewrites the Host header.
func (d issuerDiff) rewrittenHostFix(what string) string {
	return fmt.Sprintf("wifwiz asked %s for %s, yet authentik answered with host %s: authentik builds the issuer from the Host header it receives, so the reverse proxy in front of it rewrites Host. Make the proxy pass the original Host header, or set the Console's Issuer URL to %q if %s is the public host.",
		d.w.Host, what, d.g.Host, d.got, d.g.Host)
}

// configuredIssuerFix: a generic issuer's iss comes from its configuration, so one of the two
// settings must change.
func (d issuerDiff) configuredIssuerFix(subject string) string {
	return fmt.Sprintf("%s comes from the issuer's own configuration, not from the URL it was reached through: set the Console's Issuer URL to exactly %q, or change the issuer's configured issuer URL to %q.",
		upperFirst(subject), d.got, d.want)
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

func (d issuerDiff) commonFix(authentik bool) string {
	switch d.kind {
	case issSlash:
		return fmt.Sprintf("Set the Console's Issuer URL to exactly %q.", d.got)
	case issGlobal:
		return fmt.Sprintf("In authentik, set the provider's Issuer mode to per provider (\"Each provider has a different issuer, based on the application slug\"), or set the Console's Issuer URL to %q.", d.got)
	case issSlug:
		return fmt.Sprintf("Use the provider attached to application %q, or set the Console's Issuer URL to %q if this is the provider to trust.", slugOf(d.w.Path), d.got)
	}
	if authentik {
		return fmt.Sprintf("Set the Console's Issuer URL to exactly %q if this authentik provider is the one to trust.", d.got)
	}
	return fmt.Sprintf("Set the Console's Issuer URL to exactly %q if this issuer is the one to trust.", d.got)
}
