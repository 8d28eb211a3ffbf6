package wif

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// authentik's issuer modes (a provider's Advanced protocol settings → Issuer mode).
const (
	IssuerModePerProvider = "per_provider" // the default: <authentik URL>/application/o/<slug>/
	IssuerModeGlobal      = "global"       // <authentik URL>/
)

// IssuerURLFor is authentik's per-provider issuer for an application slug, trailing slash
// included.
func IssuerURLFor(authentikURL, slug string) string {
	return strings.TrimRight(authentikURL, "/") + AuthentikIssuerPath + slug + "/"
}

// IssuerFor is the issuer URL authentik puts in iss for a provider in the given issuer mode
// (empty mode: per provider). Discovery always lives below the per-provider path.
func IssuerFor(authentikURL, slug, mode string) (issuerURL, discoveryBase string) {
	perProvider := IssuerURLFor(authentikURL, slug)
	if mode == IssuerModeGlobal {
		return strings.TrimRight(authentikURL, "/") + "/", DiscoveryBaseFor(perProvider)
	}
	return perProvider, DiscoveryBaseFor(perProvider)
}

// IssuerModeOf is the issuer mode c's recorded issuer URL implies.
func IssuerModeOf(c Connection) string {
	if c.AuthentikURL != "" && c.IssuerURL == strings.TrimRight(c.AuthentikURL, "/")+"/" {
		return IssuerModeGlobal
	}
	return IssuerModePerProvider
}

// EffectiveIssuerURL is c's issuer URL, derived from its authentik URL and slug when none is
// recorded.
func EffectiveIssuerURL(c Connection) string {
	if c.IssuerURL == "" && c.AuthentikURL != "" && c.AppSlug != "" {
		return IssuerURLFor(c.AuthentikURL, c.AppSlug)
	}
	return c.IssuerURL
}

// FillAuthentikFromIssuer derives the authentik URL and application slug from an authentik
// per-provider issuer URL when neither is recorded, so that a connection made from an issuer URL
// alone (check --save) opens in the wizard with its first step filled in.
func FillAuthentikFromIssuer(c *Connection) {
	if c.AuthentikURL != "" || c.AppSlug != "" {
		return
	}
	base, rest, ok := strings.Cut(c.IssuerURL, AuthentikIssuerPath)
	slug := strings.TrimSuffix(rest, "/")
	if !ok || base == "" || slug == "" || strings.Contains(slug, "/") {
		return
	}
	c.AuthentikURL, c.AppSlug = base, slug
}

// DiscoveryBaseFor is the issuer URL without its trailing slash; discovery lives below it.
func DiscoveryBaseFor(issuerURL string) string {
	return strings.TrimSuffix(issuerURL, "/")
}

// DiscoveryURLFor is where the discovery document of a discovery base is.
func DiscoveryURLFor(discoveryBase string) string {
	return strings.TrimSuffix(discoveryBase, "/") + DiscoveryPath
}

// ParseLifetime reads a lifetime given as whole seconds ("3600") or a Go duration ("1h"), as the
// --token-lifetime and --max-identity-token-lifetime flags take it. The Console counts whole seconds.
func ParseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("lifetime is empty: give seconds (3600) or a duration (1h)")
	}
	d, err := lifetimeValue(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("lifetime %q must be longer than zero", s)
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("lifetime %q is not a whole number of seconds: the Console counts whole seconds", s)
	}
	return d, nil
}

func lifetimeValue(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > int64(MaxMaxIdentityTokenLifetime/time.Second)*1000 {
			return 0, fmt.Errorf("lifetime %q s is far beyond any range the Console accepts", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("lifetime %q is neither seconds (3600) nor a duration (1h30m)", s)
	}
	return d, nil
}
