// Package alert builds what wifwiz sends to webhooks when a connection changes state: a
// documented generic JSON payload and a Slack-compatible one (docs/operations.md). It does no
// I/O. Every text comes from a run's report and passes through the project's redaction, so
// nothing shaped like a token ever leaves in an alert.
package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Version is the generic payload's format version; it changes only when a field changes meaning.
const Version = 1

// Check is one failing check of the run that raised the alert.
type Check struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// Drift is one difference from the connection's last passing run.
type Drift struct {
	Kind    string `json:"kind"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Message string `json:"message"`
}

// Payload is the generic webhook payload.
type Payload struct {
	Version       int       `json:"version"`
	Kind          string    `json:"kind"` // failing | recovered | drift | test
	Connection    string    `json:"connection"`
	ConnectionID  int64     `json:"connection_id"`
	At            time.Time `json:"at"`
	Trigger       string    `json:"trigger"`
	OK            bool      `json:"ok"`
	PreviousOK    *bool     `json:"previous_ok"`
	Summary       string    `json:"summary"`
	Issuer        string    `json:"issuer"`
	FailingChecks []Check   `json:"failing_checks"`
	Drift         []Drift   `json:"drift"`
	RunID         int64     `json:"run_id"`
	ReportPath    string    `json:"report_path"`
	// ReportURL is ReportPath on the server's public URL (serve --public-url); empty without one.
	ReportURL string `json:"report_url"`
}

// ReportPath is where the server shows a run's report.
func ReportPath(connID, runID int64) string {
	return fmt.Sprintf("/connections/%d/runs/%d", connID, runID)
}

// New builds the payload of a state change of conn, seen in run with report rep; prevOK is the
// previous run's verdict (nil when there was none).
func New(kind wif.AlertKind, conn wif.Connection, run wif.Run, rep verify.Report, prevOK *bool) Payload {
	p := Payload{Version: Version, Kind: string(kind), Connection: conn.Name, ConnectionID: conn.ID, At: run.At.UTC(),
		Trigger: string(run.Trigger), OK: run.OK, PreviousOK: prevOK, Summary: run.Summary,
		Issuer: wif.EffectiveIssuerURL(conn), RunID: run.ID, ReportPath: ReportPath(conn.ID, run.ID),
		FailingChecks: []Check{}, Drift: []Drift{}}
	for _, c := range rep.Checks {
		if c.Status == verify.Fail {
			p.FailingChecks = append(p.FailingChecks, Check{ID: c.ID, Message: c.Message, Fix: c.Fix})
		}
	}
	for _, d := range run.Drift {
		p.Drift = append(p.Drift, Drift(d))
	}
	return p.redacted()
}

// Test is the payload of the alerts page's test button.
func Test(at time.Time) Payload {
	return Payload{Version: Version, Kind: string(wif.AlertTest), Connection: "", At: at.UTC(), OK: true,
		Summary: "A test alert from wifwiz: this webhook receives wifwiz's alerts.", FailingChecks: []Check{}, Drift: []Drift{}}
}

// redacted passes every text through the project's redaction.
func (p Payload) redacted() Payload {
	r := redact.Tokens
	p.Connection, p.Summary, p.Issuer, p.Trigger = r(p.Connection), r(p.Summary), r(p.Issuer), r(p.Trigger)
	for i, c := range p.FailingChecks {
		p.FailingChecks[i] = Check{ID: r(c.ID), Message: r(c.Message), Fix: r(c.Fix)}
	}
	for i, d := range p.Drift {
		p.Drift[i] = Drift{Kind: r(d.Kind), Before: r(d.Before), After: r(d.After), Message: r(d.Message)}
	}
	return p
}

// Decode reads a recorded payload.
func Decode(b []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("decode alert payload: %w", err)
	}
	return p, nil
}

// Body is what is sent to a webhook of format (wif.WebhookGeneric or wif.WebhookSlack), with
// the report's URL on publicURL when one is set.
func (p Payload) Body(format, publicURL string) ([]byte, error) {
	if publicURL != "" && p.ReportPath != "" {
		p.ReportURL = strings.TrimRight(publicURL, "/") + p.ReportPath
	}
	if format == wif.WebhookSlack {
		return json.Marshal(map[string]string{"text": p.SlackText()})
	}
	return json.Marshal(p)
}
