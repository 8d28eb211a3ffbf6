package verify

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// Drift kinds: what changed since the last passing run.
const (
	DriftKid                 = "kid"
	DriftAlg                 = "alg"
	DriftIssuer              = "iss"
	DriftDiscoveryIssuer     = "discovery.issuer"
	DriftDiscoveryJWKSURI    = "discovery.jwks_uri"
	DriftDiscoveryAlgorithms = "discovery.algorithms"
	DriftSub                 = "sub"
	DriftAud                 = "aud"
	DriftLifetime            = "lifetime"
	DriftInlineJWKS          = "inline_jwks"
	DriftCheck               = "check"
	DriftConsoleRule         = "console.rule"
	DriftConsoleIssuer       = "console.issuer"
	DriftConsoleAccount      = "console.service_account"
	// authentik-side drift, read through the admin API (authentik.provider).
	DriftSigningKey    = "authentik.signing_key"
	DriftEncryptionKey = "authentik.encryption_key"
	DriftSubMode       = "authentik.sub_mode"
	DriftIssuerMode    = "authentik.issuer_mode"
	DriftValidity      = "authentik.access_token_validity"
	DriftApplication   = "authentik.application"
)

// Drift names the differences between the last passing report and the current one. It is pure:
// it reads only what the two reports recorded.
func Drift(prev, cur Report) []wif.Drift {
	var out []wif.Drift
	if prev.Token != nil && cur.Token != nil {
		out = append(out, tokenDrift(prev.Token, cur.Token)...)
	}
	out = append(out, discoveryDrift(prev, cur)...)
	console := consoleDrift(prev.Console, cur.Console)
	out = append(out, console...)
	provider := providerDrift(prev, cur)
	out = append(out, provider...)
	// A check whose changes were named above, value by value, is not named again as a whole.
	namedAbove := func(id string) bool {
		return len(console) > 0 && strings.HasPrefix(id, "console.") || len(provider) > 0 && id == CheckAuthentikProvider
	}
	return append(out, checkDrift(prev, cur, namedAbove)...)
}

func tokenDrift(prev, cur *Token) []wif.Drift {
	var out []wif.Drift
	add := func(kind, before, after, msg string) {
		if d, ok := valueDrift(kind, before, after, msg); ok {
			out = append(out, d)
		}
	}
	add(DriftKid, str(prev.Header["kid"]), str(cur.Header["kid"]), "the signing key ID changed: authentik's signing key was rotated or replaced")
	add(DriftAlg, str(prev.Header["alg"]), str(cur.Header["alg"]), "the signing algorithm changed: the provider's Signing Key changed")
	add(DriftIssuer, str(prev.Claims["iss"]), str(cur.Claims["iss"]), "the token's iss changed")
	add(DriftSub, str(prev.Claims["sub"]), str(cur.Claims["sub"]), "the token's sub changed: the provider's Subject mode or name changed")
	add(DriftAud, str(prev.Claims["aud"]), str(cur.Claims["aud"]), "the token's aud changed: the provider's Client ID changed")
	add(DriftLifetime, lifetimeOf(prev), lifetimeOf(cur), "the token lifetime (exp − iat) changed: authentik's Access token validity changed")
	return out
}

// discoveryDrift compares what the two discovery documents named. Only documents that were read
// are compared: a failed fetch is reported by checkDrift, not as a changed value.
func discoveryDrift(prev, cur Report) []wif.Drift {
	var out []wif.Drift
	if pi, ci := actualOf(prev, CheckDiscoveryIssuer), actualOf(cur, CheckDiscoveryIssuer); pi != "" && ci != "" {
		if d, ok := valueDrift(DriftDiscoveryIssuer, pi, ci, "discovery's issuer changed"); ok {
			out = append(out, d)
		}
	}
	pa, ca := readActual(prev, CheckDiscovery), readActual(cur, CheckDiscovery)
	if pa == "" || ca == "" {
		return out
	}
	if d, ok := valueDrift(DriftDiscoveryJWKSURI, quotedAfter(pa, "jwks_uri "), quotedAfter(ca, "jwks_uri "),
		"discovery's jwks_uri changed: the issuer moved or a proxy rewrites discovery"); ok {
		out = append(out, d)
	}
	if d, ok := valueDrift(DriftDiscoveryAlgorithms, after(pa, "algorithms "), after(ca, "algorithms "),
		"the signing algorithms discovery lists changed: the provider's Signing Key changed"); ok {
		out = append(out, d)
	}
	return out
}

func valueDrift(kind, before, after, msg string) (wif.Drift, bool) {
	if before == after {
		return wif.Drift{}, false
	}
	return wif.Drift{Kind: kind, Before: before, After: after, Message: msg}, true
}

// checkDrift lists checks that passed before and fail now. A recorded inline JWKS that no longer
// holds authentik's current key is named once, with its own kind, since the fix is in the
// Console, not in authentik: header.kid failing against the inline set, or else jwks warning
// that authentik publishes keys the inline set lacks (the only way jwks warns).
// Checks for which skip is true are left out.
func checkDrift(prev, cur Report, skip func(id string) bool) []wif.Drift {
	before := map[string]Status{}
	for _, c := range prev.Checks {
		before[c.ID] = c.Status
	}
	var out []wif.Drift
	var inline *wif.Drift
	for _, c := range cur.Checks {
		if before[c.ID] != Pass || skip(c.ID) {
			continue
		}
		switch {
		case c.ID == CheckJWKS && c.Status == Warn:
			inline = &wif.Drift{Kind: DriftInlineJWKS, Before: string(Pass), After: string(c.Status),
				Message: "the inline JWKS recorded for the Console lacks a key authentik now publishes: " + c.Fix}
		case c.Status != Fail:
		case c.ID == CheckHeaderKid && strings.Contains(c.Expected, "inline JWKS"):
			inline = &wif.Drift{Kind: DriftInlineJWKS, Before: string(Pass), After: string(c.Status),
				Message: "the inline JWKS recorded for the Console no longer holds the current signing key: " + c.Fix}
		default:
			out = append(out, wif.Drift{Kind: DriftCheck, Before: string(Pass), After: string(c.Status),
				Message: fmt.Sprintf("check %s passed before and fails now: %s", c.ID, c.Message)})
		}
	}
	if inline != nil {
		out = append([]wif.Drift{*inline}, out...)
	}
	return out
}

// actualOf is a check's Actual when the check ran.
func actualOf(r Report, id string) string {
	for _, c := range r.Checks {
		if c.ID == id && c.Status != Skip {
			return c.Actual
		}
	}
	return ""
}

// readActual is a check's Actual when the check read its document (passed or warned).
func readActual(r Report, id string) string {
	for _, c := range r.Checks {
		if c.ID == id && (c.Status == Pass || c.Status == Warn) {
			return c.Actual
		}
	}
	return ""
}

// after is what follows marker in s, "" without marker.
func after(s, marker string) string {
	if _, rest, ok := strings.Cut(s, marker); ok {
		return rest
	}
	return ""
}

// quotedAfter is the Go-quoted value following marker, unquoted.
func quotedAfter(s, marker string) string {
	rest := after(s, marker)
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return ""
	}
	v, _ := strconv.Unquote(q)
	return v
}

func lifetimeOf(t *Token) string {
	d, ok := t.Lifetime()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d s", int64(d/time.Second))
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
