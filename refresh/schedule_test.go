package refresh_test

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/refresh"
)

var updateDocs = flag.Bool("update", false, "rewrite the schedule table in docs/refresh.md")

func TestPlan(t *testing.T) {
	const s = time.Second
	cases := []struct {
		name             string
		policy           refresh.Policy
		validity         time.Duration
		interval, minted time.Duration
		bound            string
		problem          string // in the ScheduleError; "" for none
	}{
		{"defaults: half the token", refresh.Policy{}, time.Hour, 1800 * s, 3600 * s, refresh.BoundShare, ""},
		{"15-minute rule", refresh.Policy{RuleLifetime: 900 * s}, time.Hour, 750 * s, 900 * s, refresh.BoundRule, ""},
		{"day-long tokens, default rule", refresh.Policy{}, 24 * time.Hour, 3450 * s, 3600 * s, refresh.BoundRule, ""},
		{"shortest rule that works", refresh.Policy{RuleLifetime: 180 * s}, time.Hour, 30 * s, 180 * s, refresh.BoundRule, ""},
		{"5-minute tokens", refresh.Policy{}, 300 * s, 150 * s, 300 * s, refresh.BoundShare, ""},
		{"expiry binds", refresh.Policy{}, 200 * s, 80 * s, 240 * s, refresh.BoundExpiry, ""},
		{"no minimum before expiry: the last exchange must still mint 150 s",
			refresh.Policy{MinBeforeExpiry: time.Nanosecond, RefreshAt: 1}, 200 * s, 125 * s, 150 * s, refresh.BoundExpiry, ""},
		{"rule one second too short", refresh.Policy{RuleLifetime: 179 * s}, time.Hour, 29 * s, 179 * s, refresh.BoundRule,
			"Token lifetime of 179 s is too short"},
		{"rule at the Console minimum", refresh.Policy{RuleLifetime: 60 * s}, time.Hour, -90 * s, 60 * s, refresh.BoundRule,
			"at least 180 s"},
		{"tokens too short", refresh.Policy{}, 149 * s, 29 * s, 240 * s, refresh.BoundExpiry, "seconds=150"},
		{"small share", refresh.Policy{RefreshAt: 0.05}, 500 * s, 25 * s, 950 * s, refresh.BoundShare, "seconds=600"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := tc.policy.Plan(tc.validity)
			if plan.Interval != tc.interval || plan.Minted != tc.minted || plan.Bound != tc.bound {
				t.Errorf("plan = %+v, want interval %s, minted %s, bound %q", plan, tc.interval, tc.minted, tc.bound)
			}
			if plan.ReExchange != plan.Minted-2*time.Minute {
				t.Errorf("re-exchange %s, want minted − 120 s", plan.ReExchange)
			}
			var se *refresh.ScheduleError
			switch {
			case tc.problem == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.problem != "" && (!errors.As(err, &se) || !strings.Contains(err.Error(), tc.problem)):
				t.Errorf("error = %v, want a ScheduleError saying %q", err, tc.problem)
			}
		})
	}
}

func TestPolicyValidateAndCheckRule(t *testing.T) {
	bad := map[string]refresh.Policy{
		"NaN share":      {RefreshAt: math.NaN()},
		"infinite share": {RefreshAt: math.Inf(1)},
		"tiny share":     {RefreshAt: 1e-9},
		"negative share": {RefreshAt: -0.5},
		"margin":         {MinBeforeExpiry: -time.Second},
		"long margin":    {MinBeforeExpiry: 25 * time.Hour},
		"rule too short": {RuleLifetime: 59 * time.Second},
		"rule too long":  {RuleLifetime: 86401 * time.Second},
	}
	for name, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, p)
		}
	}
	if err := (refresh.Policy{RefreshAt: 1, MinBeforeExpiry: 24 * time.Hour}).Validate(); err != nil {
		t.Errorf("the range ends are refused: %v", err)
	}
	for rule, ok := range map[time.Duration]bool{60 * time.Second: false, 179 * time.Second: false, 180 * time.Second: true, 0: true} {
		err := refresh.Policy{RuleLifetime: rule}.CheckRule()
		if (err == nil) != ok {
			t.Errorf("CheckRule(%s) = %v, want ok=%v", rule, err, ok)
		}
	}
	err := refresh.Policy{RuleLifetime: 150 * time.Second}.CheckRule()
	for _, want := range []string{"150 s is too short", "every 30 s", "rewritten every 0 s", "at least 180 s"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckRule(150 s) = %v, want it to say %q", err, want)
		}
	}
}

func TestNextFromDisk(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := refresh.Policy{}
	tok := refresh.Token{IssuedAt: now.Add(-10 * time.Minute), Expiry: now.Add(50 * time.Minute)}
	if at, _, err := p.Next(tok, tok.IssuedAt, now); err != nil || !at.Equal(now.Add(20*time.Minute)) {
		t.Errorf("Next = now+%s, %v; want iat + 30 m", at.Sub(now), err)
	}
	late := refresh.Token{IssuedAt: now.Add(-50 * time.Minute), Expiry: now.Add(10 * time.Minute)}
	if at, _, _ := p.Next(late, late.IssuedAt, now); !at.Equal(now) {
		t.Errorf("a token past its refresh point: now+%s, want now", at.Sub(now))
	}
}

// sdkModel replays what Anthropic's SDKs do against a refresher following a policy, one call a
// second: exchange on the first call and whenever the access token has 120 s or less left,
// re-reading the file each time. It counts the exchanges refused because the token on disk had
// been exchanged before (or had expired).
func sdkModel(p refresh.Policy, validity, rule, run time.Duration) (exchanges, refused int) {
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	written, serial := start, 0 // the token on disk: when it was written, and its jti
	tok := refresh.Token{IssuedAt: start, Expiry: start.Add(validity)}
	next, _, _ := p.Next(tok, start, start)
	used := map[int]bool{}
	var accessExpiry time.Time
	for now := start; now.Before(start.Add(run)); now = now.Add(time.Second) {
		for !next.After(now) {
			written, serial = next, serial+1
			tok = refresh.Token{IssuedAt: written, Expiry: written.Add(validity)}
			next, _, _ = p.Next(tok, written, written)
		}
		if !accessExpiry.IsZero() && accessExpiry.Sub(now) > 2*time.Minute {
			continue
		}
		exchanges++
		if used[serial] || !tok.Expiry.After(now) {
			refused++
			continue
		}
		used[serial] = true
		accessExpiry = now.Add(max(time.Minute, min(rule, 2*tok.Expiry.Sub(now))))
	}
	return exchanges, refused
}

// TestScheduleKeepsEveryExchangePossible runs the SDK model for two days over every cell of the
// table in docs/refresh.md: wherever Plan accepts the combination, no exchange is refused; the
// old schedule (half the identity token, whatever the rule) is refused in some of them.
func TestScheduleKeepsEveryExchangePossible(t *testing.T) {
	oldRefused := 0
	for _, validity := range tableValidities {
		for _, rule := range tableRules {
			p := refresh.Policy{RuleLifetime: rule}
			if _, err := p.Plan(validity); err != nil {
				continue
			}
			exchanges, refused := sdkModel(p, validity, rule, 48*time.Hour)
			if refused > 0 || exchanges < 2 {
				t.Errorf("validity %s, rule %s: %d of %d exchanges refused", validity, rule, refused, exchanges)
			}
			_, r := sdkModel(refresh.Policy{RuleLifetime: 24 * time.Hour, MinBeforeExpiry: 2 * time.Minute}, validity, rule, 48*time.Hour)
			oldRefused += r
		}
	}
	if _, refused := sdkModel(refresh.Policy{RuleLifetime: 24 * time.Hour}, time.Hour, 15*time.Minute, 48*time.Hour); refused == 0 {
		t.Error("the old schedule kept every exchange possible for 1 h tokens and a 15 min rule; the model proves nothing")
	}
	if oldRefused == 0 {
		t.Error("the old schedule was never refused")
	}
}

var (
	tableValidities = []time.Duration{2 * time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 24 * time.Hour}
	tableRules      = []time.Duration{time.Minute, 3 * time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 24 * time.Hour}
)

// scheduleTable is the Markdown table of docs/refresh.md.
func scheduleTable() string {
	var b strings.Builder
	b.WriteString("| identity token validity ↓ / rule Token lifetime → |")
	for _, rule := range tableRules {
		fmt.Fprintf(&b, " %s |", human(rule))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(tableRules)) + "\n")
	for _, v := range tableValidities {
		fmt.Fprintf(&b, "| %s |", human(v))
		for _, rule := range tableRules {
			plan, err := refresh.Policy{RuleLifetime: rule}.Plan(v)
			switch {
			case err == nil:
				fmt.Fprintf(&b, " %s |", human(plan.Interval))
			case plan.Bound == refresh.BoundRule:
				b.WriteString(" ✗ rule too short |")
			default:
				b.WriteString(" ✗ token too short |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func human(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d > time.Minute:
		return fmt.Sprintf("%d min %d s", d/time.Minute, d%time.Minute/time.Second)
	}
	return fmt.Sprintf("%d s", d/time.Second)
}

// TestDocsTable keeps the table in docs/refresh.md what Plan computes (-update rewrites it).
func TestDocsTable(t *testing.T) {
	const path, begin, end = "../docs/refresh.md", "<!-- schedule table: go test ./refresh -update -->\n", "<!-- end of table -->"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the table markers", path)
	}
	want := before + begin + scheduleTable() + end + after
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(doc) != want {
		t.Errorf("the table in %s is not what Plan computes (go test ./refresh -update):\n%s", path, scheduleTable())
	}
}
