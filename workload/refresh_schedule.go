package workload

import (
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/refresh"
	"github.com/wifwiz/wifwiz/wif"
)

// schedulePlan is how often the identity token file must be rewritten for c: from its rule's
// Token lifetime and authentik's Access token validity, or their defaults when not recorded.
func schedulePlan(c wif.Connection) (refresh.Plan, error) {
	return refresh.Policy{RuleLifetime: c.TokenLifetime}.Plan(validity(c))
}

// scheduleNote says how often the file is rewritten and why, or that no schedule works.
func scheduleNote(c wif.Connection, who string) string {
	plan, err := schedulePlan(c)
	if err != nil {
		return "WARNING: " + err.Error() + "."
	}
	return fmt.Sprintf("%s rewrites the identity token file every %d s at the latest, for a rule Token lifetime of %s "+
		"and authentik tokens valid %s: each SDK exchange needs a token never exchanged before (docs/refresh.md).",
		who, secs(plan.Interval), ruleLifetimeText(c), scheduleValidityText(c))
}

// perProcess closes the schedule note of a refresh setup.
const perProcess = "One refresher and one file per workload process: never one file for several processes."

func ruleLifetimeText(c wif.Connection) string {
	if c.TokenLifetime == 0 {
		return fmt.Sprintf("%d s (the Console's default: not recorded)", secs(wif.DefaultLifetime))
	}
	return fmt.Sprintf("%d s", secs(c.TokenLifetime))
}

func scheduleValidityText(c wif.Connection) string {
	if c.AccessTokenValidity == "" {
		return "hours=1 (authentik's default: not recorded)"
	}
	return oneLine(c.AccessTokenValidity)
}

// cronMinutes is how often cron runs the curl script: the schedule's interval in whole minutes,
// between 1 and 30; ok is false when cron cannot run it that often.
func cronMinutes(c wif.Connection) (minutes int, ok bool) {
	plan, err := schedulePlan(c)
	if err != nil || plan.Interval < time.Minute {
		return 1, false
	}
	return min(int(plan.Interval/time.Minute), 30), true
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }
