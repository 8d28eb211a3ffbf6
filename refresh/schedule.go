package refresh

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// Defaults and limits of the refresh schedule (docs/refresh.md).
const (
	DefaultRefreshAt       = 0.5 // share of an identity token's validity
	MinRefreshAt           = 0.05
	DefaultMinBeforeExpiry = 2 * time.Minute
	MaxMinBeforeExpiry     = 24 * time.Hour
	// DefaultMargin is how long before the SDK's next exchange the file is rewritten at the
	// latest: time for a token request and a few quick retries.
	DefaultMargin = 30 * time.Second
	// MinInterval is the floor between two rewrites: whatever the tokens say, authentik is not
	// asked more often.
	MinInterval           = 30 * time.Second
	DefaultBackoffInitial = time.Second
	DefaultBackoffMax     = 5 * time.Minute
)

// Policy is what the rewrite schedule follows. Zero fields take the defaults.
//
// Anthropic's SDKs exchange the identity token again from wif.SDKRefreshBefore before the
// access token they minted expires, and every exchange needs a token never exchanged before:
// the file must be rewritten between any two exchanges, not only before the identity token
// expires. How long Anthropic mints depends on the rule's Token lifetime and on how long the
// identity token is still valid, so the interval follows both.
type Policy struct {
	RuleLifetime    time.Duration // the federation rule's Token lifetime; 0: the Console default
	RefreshAt       float64       // rewrite after at most this share of a token's validity; 0: DefaultRefreshAt
	MinBeforeExpiry time.Duration // rewrite at least this long before a token expires; 0: the default
	Margin          time.Duration // rewrite this long before the SDK's next exchange; 0: DefaultMargin
}

// Plan is the schedule for one identity token, with the numbers behind it.
type Plan struct {
	RuleLifetime time.Duration // the rule's Token lifetime the plan assumes
	Validity     time.Duration // how long the token is valid from when it is written
	// Interval is the longest time from writing the token to replacing it:
	//   min(RefreshAt × Validity, Validity − max(MinBeforeExpiry, (120 s + Margin)/2),
	//       RuleLifetime − 120 s − Margin)
	Interval time.Duration
	Bound    string // which of the three set Interval
	// Minted is the shortest access token lifetime an exchange of this token gets before the
	// token is replaced, and ReExchange the shortest time between two exchanges that follows.
	Minted     time.Duration
	ReExchange time.Duration
}

// Bounds named in Plan.Bound.
const (
	BoundShare  = "share of the identity token's validity"
	BoundExpiry = "identity token expiry"
	BoundRule   = "rule's token lifetime"
)

// ScheduleError says that no file-based schedule keeps every exchange possible, with the numbers.
type ScheduleError struct {
	Plan Plan
	msg  string
}

func (e *ScheduleError) Error() string { return e.msg }

func (p Policy) withDefaults() Policy {
	if p.RuleLifetime == 0 {
		p.RuleLifetime = wif.DefaultLifetime
	}
	if p.RefreshAt == 0 {
		p.RefreshAt = DefaultRefreshAt
	}
	if p.MinBeforeExpiry == 0 {
		p.MinBeforeExpiry = DefaultMinBeforeExpiry
	}
	if p.Margin == 0 {
		p.Margin = DefaultMargin
	}
	return p
}

// Validate refuses values no schedule can use. Messages start with the flag's name.
func (p Policy) Validate() error {
	p = p.withDefaults()
	switch {
	case math.IsNaN(p.RefreshAt) || p.RefreshAt < MinRefreshAt || p.RefreshAt > 1:
		return fmt.Errorf("refresh-at %g: give a share of the identity token's validity from %g to 1, e.g. %g",
			p.RefreshAt, MinRefreshAt, DefaultRefreshAt)
	case p.MinBeforeExpiry < 0 || p.MinBeforeExpiry > MaxMinBeforeExpiry:
		return fmt.Errorf("min-before-expiry %s: give a duration from 0 to %s, e.g. 2m", p.MinBeforeExpiry, MaxMinBeforeExpiry)
	case p.RuleLifetime < wif.MinTokenLifetime || p.RuleLifetime > wif.MaxTokenLifetime:
		return fmt.Errorf("token-lifetime %d s: the Console's Token lifetime is %d to %d s",
			secs(p.RuleLifetime), secs(wif.MinTokenLifetime), secs(wif.MaxTokenLifetime))
	case p.Margin < 0:
		return errors.New("margin: cannot be negative")
	}
	return nil
}

// CheckRule refuses a rule Token lifetime so short that the SDKs exchange again sooner than
// the file can be rewritten, whatever the identity tokens.
func (p Policy) CheckRule() error {
	p = p.withDefaults()
	interval := p.ruleBound()
	if interval >= MinInterval {
		return nil
	}
	plan := Plan{RuleLifetime: p.RuleLifetime, Interval: interval, Bound: BoundRule,
		Minted: p.RuleLifetime, ReExchange: p.RuleLifetime - wif.SDKRefreshBefore}
	return &ScheduleError{Plan: plan, msg: p.ruleProblem(plan)}
}

// Plan is the schedule of a token valid for validity from when it is written. The error, a
// *ScheduleError, says why the interval is under MinInterval; the plan is still filled in.
func (p Policy) Plan(validity time.Duration) (Plan, error) {
	p = p.withDefaults()
	plan := Plan{RuleLifetime: p.RuleLifetime, Validity: validity}
	plan.Interval, plan.Bound = p.shareBound(validity), BoundShare
	if d := validity - max(p.MinBeforeExpiry, (wif.SDKRefreshBefore+p.Margin)/2); d < plan.Interval {
		plan.Interval, plan.Bound = d, BoundExpiry
	}
	if d := p.ruleBound(); d < plan.Interval {
		plan.Interval, plan.Bound = d, BoundRule
	}
	plan.Minted = wif.MintedLifetime(p.RuleLifetime, validity-max(plan.Interval, 0))
	plan.ReExchange = plan.Minted - wif.SDKRefreshBefore
	switch {
	case plan.Interval >= MinInterval:
		return plan, nil
	case plan.Bound == BoundRule:
		return plan, &ScheduleError{Plan: plan, msg: p.ruleProblem(plan)}
	}
	return plan, &ScheduleError{Plan: plan, msg: p.validityProblem(plan)}
}

// Next is when a token written at written must be replaced: written + the plan's interval
// (never less than MinInterval), and never before now. For a token found on disk, pass its
// iat as written: the schedule then errs on the early side.
func (p Policy) Next(t Token, written, now time.Time) (time.Time, Plan, error) {
	plan, err := p.Plan(t.Expiry.Sub(written))
	at := written.Add(max(plan.Interval, MinInterval))
	if at.Before(now) {
		at = now
	}
	return at, plan, err
}

func (p Policy) shareBound(validity time.Duration) time.Duration {
	if validity <= 0 {
		return validity
	}
	return time.Duration(p.RefreshAt * float64(validity))
}

func (p Policy) ruleBound() time.Duration {
	return p.RuleLifetime - wif.SDKRefreshBefore - p.Margin
}

func (p Policy) ruleProblem(plan Plan) string {
	need := MinInterval + wif.SDKRefreshBefore + p.Margin
	return fmt.Sprintf("a federation rule Token lifetime of %d s is too short for an identity token file: "+
		"Anthropic mints access tokens of at most %d s, the SDKs exchange again %d s before they expire "+
		"(every %d s), and each exchange needs an identity token never exchanged before, so the file would "+
		"have to be rewritten every %d s (%d s before the next exchange), under the %d s floor. Raise the "+
		"rule's Token lifetime in the Console to at least %d s (docs/refresh.md)",
		secs(p.RuleLifetime), secs(p.RuleLifetime), secs(wif.SDKRefreshBefore), secs(max(plan.ReExchange, 0)),
		secs(max(plan.Interval, 0)), secs(p.Margin), secs(MinInterval), secs(need))
}

func (p Policy) validityProblem(plan Plan) string {
	keep := max(p.MinBeforeExpiry, (wif.SDKRefreshBefore+p.Margin)/2)
	need := max(keep+MinInterval, time.Duration(math.Ceil(float64(MinInterval)/p.RefreshAt)))
	return fmt.Sprintf("identity tokens valid for %d s are too short for an identity token file: each must be "+
		"replaced after %d s (bound: %s), under the %d s floor. Raise authentik's Access token validity to "+
		"at least seconds=%d for this --refresh-at and --min-before-expiry (docs/refresh.md)",
		secs(plan.Validity), secs(max(plan.Interval, 0)), plan.Bound, secs(MinInterval), secs(need))
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

// Backoff spaces retries after failed refreshes: exponential from Initial, capped at Max, each
// delay jittered to between half and all of it so that many sidecars do not retry in step.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Rand    func() float64 // in [0, 1); nil: math/rand/v2
}

// Delay is the wait before retry number attempt (1 for the first retry).
func (b Backoff) Delay(attempt int) time.Duration {
	initial, ceiling, random := b.Initial, b.Max, b.Rand
	if initial <= 0 {
		initial = DefaultBackoffInitial
	}
	if ceiling <= 0 {
		ceiling = DefaultBackoffMax
	}
	if random == nil {
		random = rand.Float64
	}
	d := initial
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return d/2 + time.Duration(random()*float64(d/2))
}
