package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	anthemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	akemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// consoleWeb is a server whose connection has its authentik side done and a sample token
// recorded (step 3), and an Anthropic emulator whose management API the Console step uses.
type consoleWeb struct {
	a     *app
	ak    *akemu.Emulator
	p     akemu.Provider
	anth  *anthemu.Server
	token string // the Console token typed into the pages
	base  string // /connections/N/wizard/
	conn  wif.Connection
	made  wif.Connection // the Console side as created in the emulator, when asked for
}

func newConsoleWeb(t *testing.T, name string, consoleSide bool) *consoleWeb {
	t.Helper()
	ak := testenv.Start(t)
	p := testenv.Provider(t, ak, name)
	anth := testenv.Anthropic(t)
	w := &consoleWeb{ak: ak, p: p, anth: anth, token: testenv.ConsoleToken(anth)}
	full := testenv.Connection(t, ak, p, name, testenv.SecretEnv(p))
	if consoleSide {
		w.made = testenv.ConsoleSide(t, anth, full)
	}
	conn := full
	conn.ServiceAccountID, conn.FederationRuleID, conn.OrganizationID, conn.IssuerID, conn.WorkspaceID = "", "", "", "", ""
	conn.JWKSSource, conn.InlineJWKS, conn.SubjectPrefix, conn.TokenLifetime, conn.MaxIdentityTokenLifetime = "", "", "", 0, 0
	conn.RuleName, conn.AnthropicBaseURL, conn.Step = "", anth.URL, 2
	w.a = newApp(t, func(s *setup) {
		s.runner = &probe.Runner{ExtraCA: ak.CAPEM(), AnthropicCA: anth.CertPEM()}
		s.env = testenv.Env(map[string]string{testenv.SecretEnv(p): p.ClientSecret})
	})
	w.conn = testenv.Create(t, w.a.db, conn)
	w.base = fmt.Sprintf("/connections/%d/wizard/", w.conn.ID)
	if sample := w.a.submit(w.base+"3", url.Values{}); sample.status != http.StatusSeeOther {
		t.Fatalf("sample token: %d %s", sample.status, sample.text(`.alert`))
	}
	return w
}

// formIn reads the values a browser would send with the form matching sel.
func formIn(p page, sel string) url.Values {
	form := url.Values{}
	p.doc.Find(sel).First().Find(`input, select, textarea`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		switch {
		case name == "":
		case typ == "radio" || typ == "checkbox":
			if _, on := s.Attr("checked"); on {
				form.Set(name, s.AttrOr("value", ""))
			}
		case goquery.NodeName(s) == "select":
			form.Set(name, s.Find("option[selected]").AttrOr("value", ""))
		case goquery.NodeName(s) == "textarea":
			form.Set(name, s.Text())
		default:
			form.Set(name, s.AttrOr("value", ""))
		}
	})
	return form
}

func (w *consoleWeb) stored(t *testing.T) *wif.Connection {
	t.Helper()
	c, err := w.a.db.GetConnection(context.Background(), w.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConsoleReadFillsTheStep: "Read from the Console" lists the issuer for the connection's
// issuer URL and its rule; "Use this rule" fills every Console field without saving; saving then
// records them and the report reads the Console with no difference. Without JavaScript.
func TestConsoleReadFillsTheStep(t *testing.T) {
	w := newConsoleWeb(t, "read-ci", true)
	step := w.a.get(w.base + "4")
	csrf := step.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")

	bad := w.a.post(w.base+"4/console/read", url.Values{"console_token": {"sk-ant-admin01-NotAnOAuthToken"}}, csrf)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text(`[data-testid="read-error"]`), "Admin API key") {
		t.Fatalf("an Admin API key: %d %q", bad.status, bad.text(`[data-testid="read-error"]`))
	}
	posted := w.a.post(w.base+"4/console/read", url.Values{"console_token": {w.token}}, csrf)
	if posted.status != http.StatusSeeOther || !strings.Contains(posted.header.Get("Location"), "?held=") {
		t.Fatalf("read: %d %q, want a redirect to the result", posted.status, posted.header.Get("Location"))
	}
	read := w.a.follow(posted)
	if read.status != http.StatusOK {
		t.Fatalf("read: %d %s", read.status, read.text(`.alert`))
	}
	if v := read.doc.Find(`input[name="console_token"]`).AttrOr("value", ""); v != "" || strings.Contains(read.body, w.token) {
		t.Fatal("the Console token was echoed back")
	}
	row := read.doc.Find(`tr[data-rule="` + w.made.FederationRuleID + `"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), w.made.SubjectPrefix) {
		t.Fatalf("the rule is not listed: %s", read.text(`[data-testid="console-read"]`))
	}

	use := formIn(read, `tr[data-rule="`+w.made.FederationRuleID+`"] form`)
	filled := w.a.follow(w.a.post(w.base+"4/console/use", use, ""))
	if filled.status != http.StatusOK || filled.doc.Find(`[data-testid="filled"]`).Length() != 1 {
		t.Fatalf("use: %d", filled.status)
	}
	if c := w.stored(t); c.FederationRuleID != "" {
		t.Fatal("using a rule saved the connection before the person saved")
	}
	form := formIn(filled, `form[action="`+w.base+`4"]`)
	for field, want := range map[string]string{"federation_rule_id": w.made.FederationRuleID, "service_account_id": w.made.ServiceAccountID,
		"organization_id": w.made.OrganizationID, "workspace_id": w.made.WorkspaceID, "subject_prefix": w.made.SubjectPrefix,
		"audience": w.made.Audience, "issuer_id": w.made.IssuerID, "jwks_source": wif.JWKSInline, "token_lifetime": "3600"} {
		if form.Get(field) != want {
			t.Errorf("%s filled with %q, want %q", field, form.Get(field), want)
		}
	}
	saved := w.a.post(w.base+"4", form, "")
	if saved.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", saved.status, saved.text(`.error`))
	}
	c := w.stored(t)
	if c.FederationRuleID != w.made.FederationRuleID || c.IssuerID != w.made.IssuerID || c.WorkspaceID != w.made.WorkspaceID {
		t.Fatalf("stored %+v", c)
	}

	report := w.a.get(w.base + "5")
	rerun := w.a.post(w.base+"5", url.Values{"console_token": {w.token}, "exchange": {"1"}}, report.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	if rerun.status != http.StatusSeeOther {
		t.Fatalf("verify with the Console token: %d %s", rerun.status, rerun.text(`.error`))
	}
	report = w.a.get(w.base + "5")
	for _, id := range []string{"console.access", "console.issuer", "console.rule", "console.service_account", "exchange"} {
		if got := report.doc.Find(`[data-check="`+id+`"]`).AttrOr("data-status", ""); got != "pass" {
			t.Errorf("%s = %s: %s", id, got, report.text(`[data-check="`+id+`"]`))
		}
	}
	w.assertTokenNowhere(t, read.body, filled.body, report.body, bad.body)
}

// TestConsoleCreateForMe: "Create it for me" shows the plan field by field, and applies exactly
// that plan on consent; a plan that changed meanwhile is shown again instead of applied.
func TestConsoleCreateForMe(t *testing.T) {
	w := newConsoleWeb(t, "create-ci", false)
	ws := w.anth.AddWorkspace("batch").ID
	step := w.a.get(w.base + "4")
	csrf := step.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	if got := step.doc.Find(`input[name="subject_prefix"]`).AttrOr("value", ""); got != wif.ServiceAccountUsername(w.p.Name) {
		t.Errorf("subject prefix pre-filled with %q, want the sample token's sub", got)
	}
	if got := step.doc.Find(`input[name="max_identity_token_lifetime"]`).AttrOr("value", ""); got != "3600" {
		t.Errorf("maximum identity token lifetime pre-filled with %q, want the token's lifetime", got)
	}

	plan := w.a.follow(w.a.post(w.base+"4/console/plan", url.Values{"plan_console_token": {w.token}, "plan_workspace_id": {ws}, "plan_oauth_scope": {"workspace:inference"}}, csrf))
	if plan.status != http.StatusOK || plan.doc.Find(`[data-testid="plan"]`).Length() != 1 {
		t.Fatalf("plan: %d %s", plan.status, plan.text(`[data-testid="plan-error"]`))
	}
	for _, object := range []string{"federation issuer", "service account", "workspace membership", "federation rule"} {
		if got := plan.doc.Find(`section[data-object="`+object+`"]`).AttrOr("data-action", ""); got != "create" {
			t.Errorf("%s: %q, want create", object, got)
		}
	}
	if plan.doc.Find(`tr[data-field="match.subject_prefix"]`).Length() != 1 || !strings.Contains(plan.text(`tr[data-field="match.subject_prefix"]`), wif.ServiceAccountUsername(w.p.Name)) {
		t.Errorf("the plan does not show the rule's subject prefix: %s", plan.text(`[data-testid="plan"]`))
	}
	if len(w.anth.History()) != 0 {
		t.Fatal("planning changed the Console")
	}

	apply := formIn(plan, `form[action="`+w.base+`4/console/apply"]`)
	stale := url.Values{}
	for k, v := range apply {
		stale[k] = v
	}
	stale.Set("apply_oauth_scope", "workspace:developer") // not the plan shown
	stale.Set("apply_console_token", w.token)
	again := w.a.post(w.base+"4/console/apply", stale, "")
	if again.status != http.StatusConflict || again.doc.Find(`[data-testid="plan"]`).Length() != 1 {
		t.Fatalf("apply of another plan: %d", again.status)
	}
	if c := w.stored(t); c.FederationRuleID != "" {
		t.Fatal("a plan the person did not see was applied")
	}

	apply.Set("apply_console_token", w.token)
	done := w.a.post(w.base+"4/console/apply", apply, "")
	if done.status != http.StatusSeeOther || !strings.Contains(done.header.Get("Location"), "applied=4") {
		t.Fatalf("apply: %d %q %s", done.status, done.header.Get("Location"), done.text(`[data-testid="plan-error"]`))
	}
	after := w.a.follow(done)
	if after.doc.Find(`[data-testid="applied"]`).Length() != 1 {
		t.Fatal("the step does not say what was applied")
	}
	c := w.stored(t)
	if !strings.HasPrefix(c.FederationRuleID, "fdrl_") || !strings.HasPrefix(c.IssuerID, "fdis_") || c.WorkspaceID != ws || c.OrganizationID != w.anth.OrganizationID() {
		t.Fatalf("recorded IDs: %+v", c)
	}
	if r, ok := w.anth.FederationRule(c.FederationRuleID); !ok || r.OAuthScope != "workspace:inference" {
		t.Fatalf("the emulator's rule %+v", r)
	}
	w.assertTokenNowhere(t, plan.body, again.body, after.body)
}

// TestConsoleTakeValues: a report that read the Console and found a recorded value differing
// offers "Take the Console's values", which records them.
func TestConsoleTakeValues(t *testing.T) {
	w := newConsoleWeb(t, "take-ci", true)
	c := w.made
	c.ID, c.Version, c.Step, c.Name = w.conn.ID, w.stored(t).Version, 4, w.conn.Name
	c.TokenLifetime = 900 * time.Second // recorded by mistake
	if err := w.a.db.UpdateConnection(context.Background(), &c, "test"); err != nil {
		t.Fatal(err)
	}
	report := w.a.get(w.base + "5")
	w.a.post(w.base+"5", url.Values{"console_token": {w.token}}, report.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	report = w.a.get(w.base + "5")
	if got := report.doc.Find(`[data-check="console.rule"]`).AttrOr("data-status", ""); got != "fail" {
		t.Fatalf("console.rule = %q", got)
	}
	if !strings.Contains(report.text(`[data-testid="mismatches"]`), "Token lifetime") {
		t.Fatalf("the report does not list the difference: %s", report.text(`[data-testid="mismatches"]`))
	}
	take := w.a.post(w.base+"4/console/take", url.Values{}, report.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	if take.status != http.StatusSeeOther {
		t.Fatalf("take: %d %s", take.status, take.text(`[data-testid="take-error"]`))
	}
	if got := w.stored(t).TokenLifetime; got != time.Hour {
		t.Fatalf("token lifetime after taking the Console's = %v", got)
	}
	w.assertTokenNowhere(t, report.body, w.a.follow(take).body)
}

// assertTokenNowhere: the Console token reached neither the database, its WAL, the logs nor a page.
func (w *consoleWeb) assertTokenNowhere(t *testing.T, pages ...string) {
	t.Helper()
	db, _ := os.ReadFile(w.a.dbPath)
	wal, _ := os.ReadFile(w.a.dbPath + "-wal")
	for name, b := range map[string][]byte{"database": db, "WAL": wal, "logs": []byte(w.a.logs.String()), "pages": []byte(strings.Join(pages, "\n"))} {
		if bytes.Contains(b, []byte(w.token)) {
			t.Errorf("the Console token reached the %s", name)
		}
	}
}
