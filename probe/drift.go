package probe

import (
	"encoding/json"
	"fmt"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Drift kinds: what changed since the last passing run.
const (
	DriftKid             = "kid"
	DriftAlg             = "alg"
	DriftIssuer          = "iss"
	DriftDiscoveryIssuer = "discovery.issuer"
	DriftSub             = "sub"
	DriftAud             = "aud"
	DriftLifetime        = "lifetime"
	DriftInlineJWKS      = "inline_jwks"
	DriftCheck           = "check"
)

// Drift names the differences between the last passing report and the current one. It is pure.
func Drift(prev, cur verify.Report) []wif.Drift {
	var out []wif.Drift
	if prev.Token != nil && cur.Token != nil {
		out = append(out, tokenDrift(prev.Token, cur.Token)...)
	}
	if d, ok := valueDrift(DriftDiscoveryIssuer, actualOf(prev, "discovery.issuer"), actualOf(cur, "discovery.issuer"),
		"discovery's issuer changed"); ok {
		out = append(out, d)
	}
	return append(out, checkDrift(prev, cur)...)
}

func tokenDrift(prev, cur *verify.Token) []wif.Drift {
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

func valueDrift(kind, before, after, msg string) (wif.Drift, bool) {
	if before == after || before == "" && after == "" {
		return wif.Drift{}, false
	}
	return wif.Drift{Kind: kind, Before: before, After: after, Message: msg}, true
}

// checkDrift lists checks that passed before and fail now; a recorded inline JWKS that no longer
// holds the current key gets its own kind, since the fix is in the Console, not in authentik.
func checkDrift(prev, cur verify.Report) []wif.Drift {
	before := map[string]verify.Status{}
	for _, c := range prev.Checks {
		before[c.ID] = c.Status
	}
	var out []wif.Drift
	for _, c := range cur.Checks {
		if before[c.ID] != verify.Pass || c.Status != verify.Fail {
			continue
		}
		kind, msg := DriftCheck, fmt.Sprintf("check %s passed before and fails now: %s", c.ID, c.Message)
		if c.ID == verify.CheckHeaderKid && cur.Token != nil && prev.Token != nil && str(cur.Token.Header["kid"]) != str(prev.Token.Header["kid"]) {
			kind, msg = DriftInlineJWKS, "the inline JWKS recorded for the Console no longer holds the current signing key: "+c.Fix
		}
		out = append(out, wif.Drift{Kind: kind, Before: string(verify.Pass), After: string(c.Status), Message: msg})
	}
	return out
}

func actualOf(r verify.Report, id string) string {
	for _, c := range r.Checks {
		if c.ID == id && c.Status != verify.Skip {
			return c.Actual
		}
	}
	return ""
}

func lifetimeOf(t *verify.Token) string {
	exp, ok1 := number(t.Claims["exp"])
	iat, ok2 := number(t.Claims["iat"])
	if !ok1 || !ok2 {
		return ""
	}
	return fmt.Sprintf("%d s", int64(exp-iat))
}

// number reads a claim decoded either from a token (json.Number) or from a stored report (float64).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
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
