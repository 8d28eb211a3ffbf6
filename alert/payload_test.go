package alert_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/alert"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// A token or an Anthropic key that found its way into a report's text never leaves in an alert,
// in either format.
func TestPayloadsRedactTokens(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	const key = "sk-ant-oat01-abcdefghijklmnop"
	conn := wif.Connection{ID: 3, Name: "batch", IssuerURL: "https://ak.example/application/o/batch/"}
	run := wif.Run{ID: 9, At: time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC), Trigger: wif.TriggerSchedule, Summary: "1 fail",
		Drift: []wif.Drift{{Kind: "sub", Before: "a", After: jwt, Message: "sub changed to " + jwt}}}
	rep := verify.Report{Checks: []verify.Check{
		{ID: "exchange", Status: verify.Fail, Message: "Anthropic answered with " + key, Fix: "Do not paste " + jwt + " & <b>"},
		{ID: "claim.iss", Status: verify.Pass, Message: "fine"},
	}}
	yes := true
	p := alert.New(wif.AlertFailing, conn, run, rep, &yes)
	for _, format := range []string{wif.WebhookGeneric, wif.WebhookSlack} {
		body, err := p.Body(format, "https://wifwiz.example")
		if err != nil {
			t.Fatal(err)
		}
		s := string(body)
		if strings.Contains(s, "eyJhbGci") || strings.Contains(s, "sk-ant-") {
			t.Errorf("%s payload carries a token: %s", format, s)
		}
		if !strings.Contains(s, "https://wifwiz.example/connections/3/runs/9") {
			t.Errorf("%s payload lacks the report URL: %s", format, s)
		}
	}
	if len(p.FailingChecks) != 1 || p.FailingChecks[0].ID != "exchange" {
		t.Errorf("failing checks %+v: want the failing one only", p.FailingChecks)
	}
	slack, _ := p.Body(wif.WebhookSlack, "")
	var m map[string]string
	if err := json.Unmarshal(slack, &m); err != nil || len(m) != 1 || !strings.Contains(m["text"], "&amp; &lt;b&gt;") {
		t.Errorf("Slack body %s: want only text, with & < > escaped", slack)
	}
}
