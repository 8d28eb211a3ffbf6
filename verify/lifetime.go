package verify

import (
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

func secs(d time.Duration) int64 { return int64(d / time.Second) }

// configured is a recorded lifetime, or the Console default when none was recorded.
func configured(d time.Duration) (time.Duration, string) {
	if d == 0 {
		return wif.DefaultLifetime, " (Console default)"
	}
	return d, ""
}

// tokenLifetime is the token's exp − iat; ok is false when either is missing or malformed.
func (r *run) tokenLifetime() (exp, iat time.Time, ok bool) {
	if r.jwt == nil {
		return exp, iat, false
	}
	exp, _, p1 := r.jwt.claimTime("exp")
	iat, _, p2 := r.jwt.claimTime("iat")
	return exp, iat, !exp.IsZero() && !iat.IsZero() && p1 == "" && p2 == ""
}

func (r *run) checkLifetime() Check {
	max, note := configured(r.cfg.MaxIdentityTokenLifetime)
	exp := fmt.Sprintf("exp − iat ≤ %d s, the Console's Maximum identity token lifetime%s", secs(max), note) + r.issuerNote()
	if max < wif.MinMaxIdentityTokenLifetime || max > wif.MaxMaxIdentityTokenLifetime {
		return fail(exp, fmt.Sprintf("maximum %v", max), "The Console accepts a Maximum identity token lifetime of 1 to 176400 s.",
			"Set the Console's \"Maximum identity token lifetime\" between 1 and 176400 s (default 3600).")
	}
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	e, i, ok := r.tokenLifetime()
	if !ok {
		return skip(exp, "exp or iat is missing or malformed: see claim.exp and claim.iat.")
	}
	life := e.Sub(i)
	actual := fmt.Sprintf("exp − iat = %d s", secs(life))
	switch {
	case life <= 0:
		return fail(exp, actual, "The token's exp is not after its iat.", "Check the provider's \"Access token validity\" in authentik: it must be longer than zero.")
	case life > max:
		return fail(exp, actual, fmt.Sprintf("The token lives %d s, longer than the %d s the Console allows: Anthropic refuses it.", secs(life), secs(max)), lifetimeFix(life, max))
	}
	return pass(exp, actual, "The token's lifetime is within the Console's maximum."+r.validityNote(life))
}

func lifetimeFix(life, max time.Duration) string {
	lower := fmt.Sprintf("lower the provider's \"Access token validity\" in authentik to at most seconds=%d", secs(max))
	if life > wif.MaxMaxIdentityTokenLifetime {
		return "The Console allows at most 176400 s: " + lower + "."
	}
	return fmt.Sprintf("Raise the Console's \"Maximum identity token lifetime\" to at least %d s, or %s.", secs(life), lower)
}

// validityNote compares exp − iat with the recorded access token validity; authentik's can be
// one second short of it (docs/facts.md, authentik: "Lifetimes").
func (r *run) validityNote(life time.Duration) string {
	v := r.cfg.AccessTokenValidity.Truncate(time.Second)
	switch d := v - life.Truncate(time.Second); {
	case v == 0 || d == 0:
		return ""
	case d == time.Second:
		return fmt.Sprintf(" authentik's exp − iat is 1 s short of its Access token validity (%d s), as usual.", secs(v))
	}
	return fmt.Sprintf(" The recorded Access token validity (%d s) differs from the token's: update it in wifwiz.", secs(v))
}

func (r *run) checkRuleLifetime() Check {
	rule, note := configured(r.cfg.TokenLifetime)
	exp := fmt.Sprintf("the Console's Token lifetime %d s%s within 60 … 86400 s; Anthropic mints max(60, min(%d, 2 × remaining validity))", secs(rule), note, secs(rule)) + r.ruleNote()
	if rule < wif.MinTokenLifetime || rule > wif.MaxTokenLifetime {
		return fail(exp, fmt.Sprintf("token lifetime %v", rule), "The Console accepts a Token lifetime of 60 to 86400 s.",
			"Set the Console's \"Token lifetime\" between 60 and 86400 s (default 3600).")
	}
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	e, present, problem := r.jwt.claimTime("exp")
	if !present || problem != "" {
		return skip(exp, "The token has no usable exp: see claim.exp.")
	}
	remaining := e.Sub(r.now).Truncate(time.Second)
	r.minted = wif.MintedLifetime(rule, remaining)
	actual := fmt.Sprintf("Anthropic will mint %d s (identity token valid %d s more)", secs(r.minted), secs(remaining))
	gap := r.minted - wif.SDKRefreshBefore
	if r.minted < rule {
		msg := fmt.Sprintf("Anthropic mints at most twice the identity token's remaining validity: %d s instead of the rule's %d s.", secs(r.minted), secs(rule))
		if gap < reExchangeWarn {
			msg += " " + reExchangeMessage(r.minted, gap)
		}
		return warn(exp, actual, msg, mintFix(rule, r.minted))
	}
	if gap < reExchangeWarn {
		return warn(exp, actual, reExchangeMessage(r.minted, gap), reExchangeFix(gap))
	}
	return pass(exp, actual, "Anthropic will mint the rule's full Token lifetime.")
}

// reExchangeWarn is wifwiz's judgement, not a fact of either system: less time than this
// between two exchanges of the SDKs leaves a token file refresher little room.
const reExchangeWarn = 5 * time.Minute

// reExchangeMessage says how often the SDKs exchange again, each time needing an identity
// token never exchanged before (docs/refresh.md).
func reExchangeMessage(minted, gap time.Duration) string {
	if gap <= 0 {
		return fmt.Sprintf("The SDKs exchange again from %d s before a %d s access token expires, so on nearly every call, each time "+
			"with an identity token never exchanged before: no identity token file can be rewritten that often (docs/refresh.md).",
			secs(wif.SDKRefreshBefore), secs(minted))
	}
	return fmt.Sprintf("The SDKs exchange again %d s before a %d s access token expires, so every %d s, each time with an identity "+
		"token never exchanged before: the identity token file must be rewritten more often than every %d s, by one refresher "+
		"per workload process (docs/refresh.md).", secs(wif.SDKRefreshBefore), secs(minted), secs(gap), secs(gap))
}

func reExchangeFix(gap time.Duration) string {
	raise := fmt.Sprintf("Raise the rule's Token lifetime in the Console to at least %d s (%d minutes between exchanges)",
		secs(wif.SDKRefreshBefore+reExchangeWarn), int(reExchangeWarn/time.Minute))
	if gap <= 0 {
		return raise + "."
	}
	return fmt.Sprintf("%s, or keep it and run wifwiz token with this rule's Token lifetime, which rewrites the file in time.", raise)
}

func mintFix(rule, minted time.Duration) string {
	half := (rule + time.Second) / 2
	return fmt.Sprintf("Raise the provider's \"Access token validity\" in authentik to at least seconds=%d and exchange fresh identity tokens, or lower the Console's \"Token lifetime\" to %d s.", secs(half), secs(minted))
}
