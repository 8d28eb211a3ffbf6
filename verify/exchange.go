package verify

import (
	"fmt"
	"net/http"
	"strings"
)

const exchangeExpected = "Anthropic's token exchange returns a Bearer token"

// shownPrefixLength bounds how much of an Anthropic access token a report shows (its type prefix).
const shownPrefixLength = 13

// requestFields are the exchange's body fields, with where to correct each (docs/facts.md, Anthropic: "The exchange").
var requestFields = []struct{ name, fix string }{
	{"federation_rule_id", "Copy the federation rule ID (fdrl_…) again from the rule's page in the Console."},
	{"organization_id", "Copy the organization ID (a UUID) again from Console → Settings → Organization."},
	{"service_account_id", "Copy the service account ID (svac_…) again from Console → Service accounts."},
	{"workspace_id", "Copy the workspace ID (wrkspc_… or default) from Console → Workspaces; it is required when the rule is enabled for more than one workspace."},
	{"assertion", "The identity token was refused as malformed: see token.format."},
	{"grant_type", "The exchange must send grant_type urn:ietf:params:oauth:grant-type:jwt-bearer."},
}

func (r *run) checkExchange() Check {
	x := r.obs.Exchange
	if x == nil {
		return skip(exchangeExpected, "Not requested.")
	}
	if x.Err != "" {
		return fail(exchangeExpected, "no response: "+clean(x.Err), fmt.Sprintf("The exchange at %s got no response.", x.URL),
			"Check the Anthropic base URL and that this machine can reach it over https.")
	}
	switch x.Status {
	case http.StatusOK:
		return r.exchangeOK(x)
	case http.StatusBadRequest:
		return exchangeBadRequest(x)
	case http.StatusUnauthorized:
		return r.exchangeDenied(x)
	}
	return fail(exchangeExpected, exchangeActual(x), fmt.Sprintf("Anthropic answered HTTP %d.", x.Status),
		"Retry later; if it persists, check the Anthropic base URL.")
}

func exchangeActual(x *Exchange) string {
	s := fmt.Sprintf("HTTP %d", x.Status)
	if x.ErrorType != "" {
		s += " " + short(x.ErrorType)
	}
	if x.Message != "" {
		s += ": " + clean(x.Message)
	}
	return s
}

func (r *run) exchangeOK(x *Exchange) Check {
	// Cut first: the token's type is shown, never enough of it to look like a token.
	prefix := []rune(strings.TrimSuffix(x.TokenPrefix, "…"))
	if len(prefix) > shownPrefixLength {
		prefix = prefix[:shownPrefixLength]
	}
	actual := fmt.Sprintf("HTTP 200; Bearer token %s…, scope %q, expires_in %d s", clean(string(prefix)), short(x.Scope), x.ExpiresIn)
	msg := "Anthropic accepted the identity token."
	if r.minted > 0 {
		msg += fmt.Sprintf(" rule.lifetime predicted %d s, Anthropic minted %d s.", secs(r.minted), x.ExpiresIn)
	}
	if r.cfg.OAuthScope != "" && !strings.Contains(" "+x.Scope+" ", " "+r.cfg.OAuthScope+" ") {
		msg += fmt.Sprintf(" The granted scope differs from the recorded OAuth scope %q: update it in wifwiz.", r.cfg.OAuthScope)
	}
	return pass(exchangeExpected, actual, msg+" This identity token's jti is now used: the workload needs a fresh token.")
}

func exchangeBadRequest(x *Exchange) Check {
	for _, f := range requestFields {
		if strings.Contains(x.Message, f.name) {
			return fail(exchangeExpected, exchangeActual(x), "Anthropic refused the request: it names "+f.name+".", f.fix)
		}
	}
	return fail(exchangeExpected, exchangeActual(x), "Anthropic refused the request as malformed.",
		"Check the IDs sent (federation rule fdrl_…, organization UUID, service account svac_…, workspace): see the ids check.")
}

// exchangeDenied: Anthropic says only "Authentication failed"; the local checks, or else the
// causes they cannot see, explain it (docs/facts.md, Anthropic: "Errors").
func (r *run) exchangeDenied(x *Exchange) Check {
	msg := "Anthropic says only 'Authentication failed'; the reason is in the Console's authentication history."
	if suspects := r.suspects(); len(suspects) > 0 {
		msg += " Local checks that explain it: " + strings.Join(suspects, ", ") + "."
		return fail(exchangeExpected, exchangeActual(x), msg, "Fix the failing and warning checks above, then exchange a fresh token; the Console's authentication history names the reason.")
	}
	msg += " Every local check passed, so the remaining causes are: the rule is archived or not the one for this issuer, the token's jti was already used (a token can be exchanged once), a workspace ID is required because the rule is enabled for several workspaces, or Anthropic still caches the old JWKS (about a minute after a key change)."
	return fail(exchangeExpected, exchangeActual(x), msg,
		"Open the Console's authentication history for the exact reason; exchange a freshly issued token, set the workspace ID if the rule spans several workspaces, and wait a minute after key changes.")
}

// suspects lists the checks that failed or warned before the exchange. rule.lifetime is left
// out: a short minted lifetime never makes Anthropic refuse a token.
func (r *run) suspects() []string {
	var ids []string
	for _, c := range r.checks {
		if (c.Status == Fail || c.Status == Warn) && c.ID != CheckRuleLifetime {
			ids = append(ids, c.ID+" ("+string(c.Status)+")")
		}
	}
	return ids
}
