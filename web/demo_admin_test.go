package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/wif"
)

// TestDemoWalkWithTheAdminAPIs: in the demo, with no token typed anywhere, the provider step
// reads and plans through authentik's admin API and the Console step reads the demo's rule and
// creates (here: updates) the Console side through the management API, with the tokens the demo
// connection's references give. The walk ends in a report whose Console, rule and provider
// checks and whose exchange pass — against what "Create it for me" changed. No token reaches
// the database, its WAL, the logs or a page.
func TestDemoWalkWithTheAdminAPIs(t *testing.T) {
	a, d := newDemoApp(t)
	base := startDemoConnection(t, a)
	var pages []string
	keep := func(p page) page { pages = append(pages, p.body); return p }
	if p := a.submit(base+"1", nil); p.status != http.StatusSeeOther {
		t.Fatalf("step 1: %d", p.status)
	}

	// Step 2: read the provider and plan "Create it for me", the token left empty.
	step2 := keep(a.get(base + "2"))
	if ph := step2.doc.Find(`input[name="api_token"]`).AttrOr("placeholder", ""); !strings.Contains(ph, "recorded reference") {
		t.Errorf("the API token field does not say the recorded reference is used: %q", ph)
	}
	form, tok := formOf(step2, nil), step2.doc.Find(`input[name="_csrf"]`).First().AttrOr("value", "")
	read := keep(a.follow(a.post(base+"2/inspect", form, tok)))
	if read.status != http.StatusOK || read.doc.Find(`[data-testid="provider-read"]`).Length() != 1 {
		t.Fatalf("read from authentik: %d %s", read.status, read.text(`[data-testid="api-error"]`)+read.text(`[data-testid="form-errors"]`))
	}
	if st := read.doc.Find(`tr[data-item="sub_mode"] .badge`).Text(); st != "ok" {
		t.Errorf("the demo provider's sub_mode verdict %q", st)
	}
	plan := keep(a.follow(a.post(base+"2/plan", form, tok)))
	if plan.status != http.StatusOK || plan.doc.Find(`[data-testid="plan-step"]`).Length() == 0 {
		t.Fatalf("plan in authentik: %d %s", plan.status, plan.text(`[data-testid="api-error"]`))
	}
	if p := a.submit(base+"2", nil); p.status != http.StatusSeeOther {
		t.Fatalf("step 2: %d", p.status)
	}
	if p := a.submit(base+"3", nil); p.status != http.StatusSeeOther {
		t.Fatalf("step 3: %d %s", p.status, p.text(`[data-testid="sample-error"]`))
	}

	// Step 4: read the Console, use the demo's rule, save.
	step4 := keep(a.get(base + "4"))
	csrf := step4.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	consoleRead := keep(a.follow(a.post(base+"4/console/read", url.Values{"console_token": {""}}, csrf)))
	row := consoleRead.doc.Find(`tr[data-rule="` + demo.FederationRuleID + `"]`)
	if consoleRead.status != http.StatusOK || row.Length() != 1 || !strings.Contains(row.Text(), wif.ServiceAccountUsername(demo.ProviderName)) {
		t.Fatalf("read from the Console: %d %s %s", consoleRead.status, consoleRead.text(`[data-testid="read-error"]`), consoleRead.text(`[data-testid="console-read"]`))
	}
	filled := keep(a.follow(a.post(base+"4/console/use", formIn(consoleRead, `tr[data-rule="`+demo.FederationRuleID+`"] form`), "")))
	saved := a.post(base+"4", formIn(filled, `form[action="`+base+`4"]`), "")
	if saved.status != http.StatusSeeOther {
		t.Fatalf("step 4: %d %s", saved.status, saved.text(`.error`))
	}

	// "Create it for me" with another scope: the plan updates the rule, and applying it changes
	// the emulator's rule, which the exchange then uses.
	step4 = keep(a.get(base + "4"))
	csrf = step4.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	consolePlan := keep(a.follow(a.post(base+"4/console/plan", url.Values{"plan_oauth_scope": {wif.ScopeWorkspaceInference}}, csrf)))
	if consolePlan.status != http.StatusOK || consolePlan.doc.Find(`[data-testid="plan"]`).Length() != 1 {
		t.Fatalf("plan in the Console: %d %s", consolePlan.status, consolePlan.text(`[data-testid="plan-error"]`))
	}
	if got := consolePlan.doc.Find(`section[data-object="federation rule"]`).AttrOr("data-action", ""); got != "update" {
		t.Errorf("the rule's planned action %q, want update", got)
	}
	done := a.post(base+"4/console/apply", formIn(consolePlan, `form[action="`+base+`4/console/apply"]`), "")
	if done.status != http.StatusSeeOther || !strings.Contains(done.header.Get("Location"), "applied=") {
		t.Fatalf("apply in the Console: %d %s", done.status, done.text(`[data-testid="plan-error"]`))
	}
	keep(a.follow(done))
	if r, _ := d.Anthropic.FederationRule(demo.FederationRuleID); r.OAuthScope != wif.ScopeWorkspaceInference {
		t.Fatalf("the demo's rule after apply: %+v", r)
	}

	// Step 5: verify with the exchange; step 6 follows.
	report := a.get(base + "5")
	rerun := a.post(base+"5", url.Values{"exchange": {"1"}}, report.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	if rerun.status != http.StatusSeeOther {
		t.Fatalf("verify: %d %s", rerun.status, rerun.text(`.error`))
	}
	report = keep(a.get(base + "5"))
	for _, id := range []string{"console.access", "console.issuer", "console.rule", "console.service_account", "authentik.provider", "exchange"} {
		if got := report.doc.Find(`[data-check="`+id+`"]`).AttrOr("data-status", ""); got != "pass" {
			t.Errorf("%s = %q: %s", id, got, report.text(`[data-check="`+id+`"]`))
		}
	}
	if ex := report.text(`[data-check="exchange"]`); !strings.Contains(ex, `scope "workspace:inference"`) {
		t.Errorf("the exchange did not use the rule as applied: %s", ex)
	}
	report.doc.Find(`[data-check][data-status="fail"]`).Each(func(_ int, s *goqSel) {
		t.Errorf("failed: %s", s.AttrOr("data-check", ""))
	})
	if p := keep(a.get(base + "6")); p.status != http.StatusOK || p.doc.Find(`[data-testid="not-verified"]`).Length() != 0 {
		t.Errorf("step 6: %d %s", p.status, p.text(`[data-testid="not-verified"]`))
	}

	getenv := d.Getenv(func(string) string { return "" })
	secrets := append([]string{getenv(demo.ConsoleTokenEnv), getenv(demo.AuthentikTokenEnv), getenv(demo.SecretEnv)}, d.Anthropic.AccessTokens()...)
	if len(d.Anthropic.AccessTokens()) == 0 {
		t.Fatal("no exchange was made")
	}
	db, _ := os.ReadFile(a.dbPath)
	wal, _ := os.ReadFile(a.dbPath + "-wal")
	for where, b := range map[string][]byte{"database": db, "WAL": wal, "logs": []byte(a.logs.String()), "pages": []byte(strings.Join(pages, "\n"))} {
		for i, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("secret %d (%d characters) reached the %s", i, len(s), where)
			}
		}
	}
}
