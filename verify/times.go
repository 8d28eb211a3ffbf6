package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// maxNumericDate is 9999-12-31T23:59:59Z: anything later is not a plausible time.
const maxNumericDate = 253402300799

// claimTime reads a NumericDate claim. present is false when the claim is absent; problem is
// set when it is present but not a plausible time.
func (j *decodedJWT) claimTime(name string) (t time.Time, present bool, problem string) {
	v, present := j.claims[name]
	if !present {
		return time.Time{}, false, ""
	}
	secs, ok := numericDate(v)
	if !ok || secs < 0 || secs > maxNumericDate {
		return time.Time{}, true, fmt.Sprintf("%s is not a NumericDate (seconds since 1970): %.40v", name, v)
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), true, ""
}

func numericDate(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	case float64:
		return n, !math.IsInf(n, 0) && !math.IsNaN(n)
	}
	return 0, false
}

// showTime is a time as Unix seconds and RFC 3339 UTC, relative to now.
func showTime(t, now time.Time) string {
	d := t.Sub(now).Truncate(time.Second)
	rel := "now"
	switch {
	case d > 0:
		rel = fmt.Sprintf("in %d s", int64(d/time.Second))
	case d < 0:
		rel = fmt.Sprintf("%d s ago", int64(-d/time.Second))
	}
	return fmt.Sprintf("%d (%s), %s", t.Unix(), t.UTC().Format(time.RFC3339), rel)
}

func (r *run) nowText() string {
	return fmt.Sprintf("now = %d (%s), 30 s leeway", r.now.Unix(), r.now.UTC().Format(time.RFC3339))
}

func (r *run) fixClocks() string {
	return "Sync the clocks of " + r.byKind("authentik's", "the issuer's") + " host and of this machine (NTP): Anthropic allows only 30 s of skew."
}

func (r *run) checkClaimExp() Check {
	exp := "exp present and in the future (" + r.nowText() + ")"
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	t, present, problem := r.jwt.claimTime("exp")
	switch {
	case !present:
		return fail(exp, "(absent)", "The token has no exp; Anthropic requires one.", r.fromIssuerFix("exp"))
	case problem != "":
		return fail(exp, "(malformed)", "The token's "+problem+".", r.fromIssuerFix("exp"))
	case !t.After(r.now.Add(-wif.Leeway)):
		return fail(exp, showTime(t, r.now), "The token has expired.",
			"Request a fresh token. If it had just been issued, sync the clocks of "+r.byKind("authentik's", "the issuer's")+" host and of this machine (NTP). "+
				r.byKind("Raise the provider's \"Access token validity\" in authentik if tokens expire before the workload uses them.", "Lengthen the issuer's token lifetime if tokens expire before the workload uses them."))
	case !t.After(r.now):
		return warn(exp, showTime(t, r.now), "The token expired within the 30 s leeway: Anthropic refuses it within seconds.",
			"Request a fresh token; refresh the identity token file well before exp.")
	}
	return pass(exp, showTime(t, r.now), "The token has not expired.")
}

func (r *run) checkClaimIat() Check {
	exp := "iat present and not in the future (" + r.nowText() + ")"
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	t, present, problem := r.jwt.claimTime("iat")
	switch {
	case !present:
		return fail(exp, "(absent)", "The token has no iat; Anthropic requires one.", r.fromIssuerFix("iat"))
	case problem != "":
		return fail(exp, "(malformed)", "The token's "+problem+".", r.fromIssuerFix("iat"))
	case t.After(r.now.Add(wif.Leeway)):
		return fail(exp, showTime(t, r.now), "The token was issued in the future: "+r.byKind("authentik's", "the issuer's")+" clock is ahead of this machine's.", r.fixClocks())
	}
	return pass(exp, showTime(t, r.now), "The token was issued in the past.")
}

func (r *run) checkClaimNbf() Check {
	exp := "nbf absent, or not in the future (" + r.nowText() + ")"
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	t, present, problem := r.jwt.claimTime("nbf")
	switch {
	case !present:
		return pass(exp, "(absent)", "The token has no nbf.")
	case problem != "":
		return fail(exp, "(malformed)", "The token's "+problem+".", r.fromIssuerFix("nbf as a NumericDate, if at all"))
	case t.After(r.now.Add(wif.Leeway)):
		return fail(exp, showTime(t, r.now), "The token is not valid yet.", r.fixClocks())
	}
	return pass(exp, showTime(t, r.now), "The token is already valid.")
}
