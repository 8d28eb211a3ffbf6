package verify

import (
	"context"

	"github.com/wifwiz/wifwiz/rule"
)

const (
	claimsExpected    = "every claims matcher of the rule holds: the top-level claim is a string exactly equal to the value"
	conditionExpected = "the rule's CEL condition (variable claims) evaluates to true"
)

func (r *run) checkRuleClaims() Check {
	exp := claimsExpected + r.ruleNote()
	if len(r.cfg.Claims) == 0 {
		return skip(exp, r.noMatcher("claims matchers", "--claim NAME=VALUE"))
	}
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	return r.fromResult(rule.Claims(r.cfg.Claims, r.jwt.claims).Result)
}

func (r *run) checkRuleCondition() Check {
	exp := conditionExpected + r.ruleNote()
	if r.cfg.Condition == "" {
		return skip(exp, r.noMatcher("condition", "--condition CEL"))
	}
	if r.jwt == nil {
		return skip(exp, r.jwtWhy)
	}
	// The engine reads no clock and does no I/O; the evaluation bounds itself (cost limit and
	// its own deadline).
	return r.fromResult(rule.CheckCondition(context.Background(), r.cfg.Condition, r.jwt.claims).Result)
}

// noMatcher is the skip reason of a matcher the rule does not have.
func (r *run) noMatcher(what, flag string) string {
	if r.ruleFromConsole() {
		return "The Console's rule has no " + what + "."
	}
	return "No " + what + " recorded for the rule (type them on the Console step or give " + flag + "; with a Console token they are read from the rule)."
}

// fromResult turns the rule package's verdict into a report row, saying where the rule came from.
func (r *run) fromResult(res rule.Result) Check {
	c := Check{Expected: res.Expected + r.ruleNote(), Actual: res.Actual, Message: res.Message, Fix: res.Fix}
	if res.OK {
		c.Status, c.Fix = Pass, ""
		return c
	}
	c.Status = Fail
	if c.Fix == "" {
		c.Fix = "Change the rule's matcher in the Console, or make the issuer emit the claim values it wants."
	}
	return c
}
