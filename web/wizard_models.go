package web

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// timeClaims are shown as Unix seconds, readable UTC and relative to now.
var timeClaims = map[string]bool{"exp": true, "iat": true, "nbf": true, "auth_time": true}

// headerOrder and claimOrder put the fields a Console needs first.
var (
	headerOrder = []string{"alg", "kid", "typ"}
	claimOrder  = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "jti"}
)

func sampleResult(conn wif.Connection, run wif.Run, rep verify.Report, consoleDone bool, now time.Time, d *diagnosis) *views.SampleResult {
	failed, anyFail := sampleProblems(conn, rep, consoleDone)
	r := &views.SampleResult{At: utcTime(run.At), OK: !anyFail, Summary: run.Summary,
		Failed: d.refine(checkRows(failed)), ConsolePending: !consoleDone}
	if rep.Token == nil {
		return r
	}
	r.Issued = true
	r.Field = rep.Token.Field
	r.Header = claimRows(rep.Token.Header, headerOrder, now)
	r.Claims = claimRows(rep.Token.Claims, claimOrder, now)
	r.Sub = display(rep.Token.Claims["sub"])
	r.Aud = display(rep.Token.Claims["aud"])
	return r
}

// claimRows lists the known names first in order, then the rest alphabetically.
func claimRows(m map[string]any, first []string, now time.Time) []views.ClaimRow {
	seen := map[string]bool{}
	var names []string
	for _, n := range first {
		if _, ok := m[n]; ok {
			names, seen[n] = append(names, n), true
		}
	}
	var rest []string
	for n := range m {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	rows := make([]views.ClaimRow, 0, len(m))
	for _, n := range append(names, rest...) {
		// A claim that holds a token (an issuer may nest one) is never shown, as in the exports.
		row := views.ClaimRow{Name: redact.Tokens(n), Value: redact.Tokens(display(m[n]))}
		if sec, ok := verify.NumericDate(m[n]); ok && timeClaims[n] {
			row.Readable = readableTime(time.Unix(int64(sec), 0), now)
		}
		rows = append(rows, row)
	}
	return rows
}

func display(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return fmt.Sprintf("%d", int64(x))
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// readableTime reads like "2026-11-28 16:04:05 UTC · in 59 minutes".
func readableTime(t, now time.Time) string {
	return utcTime(t) + " · " + relative(t.Sub(now))
}

func relative(d time.Duration) string {
	if d > -time.Second && d < time.Second {
		return "just now"
	}
	past := d < 0
	if past {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = plural(int(d/time.Second), "second")
	case d < 2*time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	default:
		s = plural(int(d/(24*time.Hour)), "day")
	}
	if past {
		return s + " ago"
	}
	return "in " + s
}

// plural reads like "1 second" or "5 seconds".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// lifetimeBars compares authentik's token lifetime, the Console's maximum identity token
// lifetime, the rule's token lifetime and what Anthropic will mint for a fresh token.
func lifetimeBars(conn wif.Connection, rep verify.Report) []views.LifetimeBar {
	maxID, rule := orDefaultDuration(conn.MaxIdentityTokenLifetime), orDefaultDuration(conn.TokenLifetime)
	var bars []views.LifetimeBar
	tokenLife, _ := rep.Token.Lifetime()
	if tokenLife > 0 {
		st := "pass"
		if tokenLife > maxID {
			st = "fail"
		}
		bars = append(bars, views.LifetimeBar{Label: "authentik token (exp − iat)", Seconds: secs(tokenLife), Status: st, Note: validityNote(conn)})
	}
	bars = append(bars,
		views.LifetimeBar{Label: "Console: maximum identity token lifetime", Seconds: secs(maxID), Status: "pass"},
		views.LifetimeBar{Label: "Console: rule token lifetime (asked)", Seconds: secs(rule), Status: "pass"})
	if tokenLife > 0 {
		minted := wif.MintedLifetime(rule, tokenLife)
		st := "pass"
		if minted < rule {
			st = "warn"
		}
		bars = append(bars, views.LifetimeBar{Label: "Anthropic will mint (fresh token)", Seconds: secs(minted), Status: st, Note: "= max(60 s, min(rule, 2 × remaining validity))"})
	}
	return bars
}

func validityNote(conn wif.Connection) string {
	if conn.AccessTokenValidity == "" {
		return ""
	}
	return "(authentik: " + conn.AccessTokenValidity + ")"
}

func orDefaultDuration(d time.Duration) time.Duration {
	if d == 0 {
		return wif.DefaultLifetime
	}
	return d
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }
