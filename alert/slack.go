package alert

import (
	"fmt"
	"strings"
)

// slackEscape escapes the three characters Slack's message format reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var headlines = map[string]string{
	"failing":   ":red_circle: wifwiz: *%s* is failing",
	"recovered": ":large_green_circle: wifwiz: *%s* passes again",
	"drift":     ":warning: wifwiz: *%s* drifted since it last passed",
}

// SlackText is the Slack message: the connection, what changed, each failing check with its fix,
// the drift, and a link to the report when the server's public URL is known.
func (p Payload) SlackText() string {
	esc := slackEscape.Replace
	if p.Kind == "test" {
		return ":information_source: " + esc(p.Summary)
	}
	var b strings.Builder
	fmt.Fprintf(&b, headlines[p.Kind], esc(p.Connection))
	fmt.Fprintf(&b, " (%s run at %s: %s)", esc(p.Trigger), p.At.Format("2006-01-02 15:04 UTC"), esc(p.Summary))
	for _, c := range p.FailingChecks {
		fmt.Fprintf(&b, "\n• `%s` %s", esc(c.ID), esc(c.Message))
		if c.Fix != "" {
			fmt.Fprintf(&b, " *Fix:* %s", esc(c.Fix))
		}
	}
	for _, d := range p.Drift {
		fmt.Fprintf(&b, "\n• drift `%s`: %s → %s", esc(d.Kind), esc(d.Before), esc(d.After))
	}
	switch {
	case p.ReportURL != "":
		fmt.Fprintf(&b, "\n<%s|Open the report>", p.ReportURL)
	case p.ReportPath != "":
		fmt.Fprintf(&b, "\nReport: %s on the wifwiz server", esc(p.ReportPath))
	}
	return b.String()
}
