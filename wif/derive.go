package wif

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IssuerURLFor is authentik's per-provider issuer for an application slug, trailing slash
// included (authentik.md, "Issuer").
func IssuerURLFor(authentikURL, slug string) string {
	return strings.TrimRight(authentikURL, "/") + AuthentikIssuerPath + slug + "/"
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
