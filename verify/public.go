package verify

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

const publicExpected = "the issuer host resolves only to public addresses"

// cgnat is the shared address space of RFC 6598, which netip does not classify.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// addrClass names why an address is not reachable from the internet; "" for a public one.
func addrClass(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return "link-local"
	case a.Is6() && netip.MustParsePrefix("fc00::/7").Contains(a):
		return "unique local (IPv6 ULA)"
	case a.IsPrivate():
		return "private"
	case cgnat.Contains(a):
		return "carrier-grade NAT (100.64/10)"
	case !a.IsGlobalUnicast():
		return "not a unicast address"
	}
	return ""
}

func (r *run) checkIssuerPublic() Check {
	u, err := url.Parse(r.cfg.IssuerURL)
	if err != nil || u.Hostname() == "" {
		return skip(publicExpected, "No issuer host: see issuer.url.")
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		return r.classify(host, []string{a.String()})
	}
	if r.obs.ResolveErr != "" {
		return warn(publicExpected, "not resolved: "+r.obs.ResolveErr,
			fmt.Sprintf("wifwiz could not resolve %s. Anthropic resolves it from the public internet; if the name exists only in internal DNS, Anthropic cannot fetch discovery or JWKS.", host),
			"Publish the name in public DNS, or set the Console's JWKS source to inline keys and paste the provider's JWKS.")
	}
	if r.obs.IssuerAddrs == nil {
		return skip(publicExpected, fmt.Sprintf("%s was not resolved.", host))
	}
	return r.classify(host, r.obs.IssuerAddrs)
}

func (r *run) classify(host string, addrs []string) Check {
	if len(addrs) == 0 {
		return warn(publicExpected, host+" → no addresses", host+" resolved to no address at all.",
			"Publish the name in public DNS, or set the Console's JWKS source to inline keys and paste the provider's JWKS.")
	}
	var private []string
	for _, s := range addrs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			private = append(private, s+" (unreadable)")
			continue
		}
		if c := addrClass(a); c != "" {
			private = append(private, s+" ("+c+")")
		}
	}
	actual := host + " → " + strings.Join(addrs, ", ")
	if len(private) == 0 {
		return pass(publicExpected, actual, "Every address is public.")
	}
	msg := fmt.Sprintf("%s resolves to addresses Anthropic cannot reach: %s.", host, strings.Join(private, ", "))
	if r.cfg.InlineJWKS != nil {
		return pass(publicExpected, actual, msg+" The Console uses inline JWKS, so Anthropic fetches nothing from this host.")
	}
	return warn(publicExpected, actual, msg+" Anthropic fetches discovery and JWKS from the public internet.",
		r.byKind("Set the Console's JWKS source to inline keys and paste the provider's JWKS (and paste it again after every key change), or publish authentik on a public address.",
			"Set the Console's JWKS source to inline keys and paste the issuer's JWKS (and paste it again after every key change), or publish the issuer on a public address."))
}
