package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// stepFour is a server whose connection has authentik's side saved — a provider whose access
// token validity is validity — and a sample token requested with the client secret typed on
// step 3; no secret reference is recorded, so verifying needs the secret typed again.
type stepFour struct {
	a      *app
	p      emulator.Provider
	base   string // /connections/N/wizard/
	secret string
}

func newStepFour(t *testing.T, name, validity string) *stepFour {
	t.Helper()
	emu := testenv.Start(t)
	p, err := emu.AddProvider(emulator.Provider{Slug: name, Name: name, SubMode: wif.SubUsername, Validity: validity, IncludeClaims: true})
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, func(s *setup) { s.runner = &probe.Runner{ExtraCA: emu.CAPEM()} })
	conn := testenv.Connection(t, emu, p, name, "")
	conn.SecretRef, conn.AccessTokenValidity, conn.Step = "", validity, 2
	conn.ServiceAccountID, conn.FederationRuleID, conn.OrganizationID, conn.IssuerName = "", "", "", ""
	conn.JWKSSource, conn.InlineJWKS, conn.SubjectPrefix, conn.TokenLifetime, conn.MaxIdentityTokenLifetime = "", "", "", 0, 0
	conn.RuleName, conn.Audience, conn.OAuthScope = "", "", ""
	conn = testenv.Create(t, a.db, conn)
	f := &stepFour{a: a, p: p, base: fmt.Sprintf("/connections/%d/wizard/", conn.ID), secret: p.ClientSecret}
	if s := a.submit(f.base+"3", url.Values{"client_secret": {p.ClientSecret}}); s.status != http.StatusSeeOther {
		t.Fatalf("sample token: %d %s", s.status, s.text(`main .alert`))
	}
	return f
}

// consoleIDs are the IDs the Console shows after saving, typed on step 4.
var consoleIDs = url.Values{"service_account_id": {testenv.ServiceAccountID}, "federation_rule_id": {testenv.FederationRuleID},
	"organization_id": {testenv.OrganizationID}}

// TestConsolePrefillFromTheSampleToken: the Console step pre-fills what the sample token showed —
// its sub, a maximum identity token lifetime that covers it, and the token lifetime Anthropic
// will mint for it — so that saving them as they are verifies without a lifetime failure or
// warning, for a long and a short authentik validity alike.
func TestConsolePrefillFromTheSampleToken(t *testing.T) {
	for _, tc := range []struct {
		validity, maxLifetime, tokenLifetime string
	}{
		{"hours=2", "7200", "3600"},    // the token outlives the Console's default of an hour
		{"minutes=5", "300", "480"},    // twice the validity left a minute after issue
		{"hours=1", "3600", "3600"},    // authentik's default
		{"minutes=30", "1800", "3480"}, // min(3600, 2 × (1800 − 60))
	} {
		t.Run(tc.validity, func(t *testing.T) {
			f := newStepFour(t, "prefill-"+strings.ReplaceAll(strings.TrimSuffix(tc.validity, "s"), "=", ""), tc.validity)
			step := f.a.get(f.base + "4")
			form := formIn(step, `form[action="`+f.base+`4"]`)
			for field, want := range map[string]string{"max_identity_token_lifetime": tc.maxLifetime, "token_lifetime": tc.tokenLifetime,
				"subject_prefix": wif.ServiceAccountUsername(f.p.Name), "audience": f.p.ClientID} {
				if got := form.Get(field); got != want {
					t.Errorf("%s pre-filled with %q, want %q", field, got, want)
				}
			}
			for k, v := range consoleIDs {
				form[k] = v
			}
			form.Set("client_secret", f.secret)
			saved := f.a.post(f.base+"4", form, "")
			if saved.status != http.StatusSeeOther || !strings.HasPrefix(saved.header.Get("Location"), f.base+"5?run=") {
				t.Fatalf("save and verify: %d %q %s", saved.status, saved.header.Get("Location"), saved.text(`[data-testid="form-errors"]`))
			}
			report := f.a.follow(saved)
			for _, id := range []string{"lifetime", "rule.lifetime", "claim.sub", "claim.aud", "signature"} {
				if got := report.doc.Find(`[data-check="`+id+`"]`).AttrOr("data-status", ""); got != "pass" {
					t.Errorf("%s = %q after saving the pre-filled values: %s", id, got, report.text(`[data-check="`+id+`"]`))
				}
			}
		})
	}
}

// TestConsoleSaveAndVerify: "Save and verify" asks for the client secret beside itself when no
// usable reference is recorded; without it the settings are saved and the secret is asked for;
// with it the saved settings are verified at once, the report judging them (never the sample
// token's run); "Save without verifying" leads to a report that withholds older verdicts.
func TestConsoleSaveAndVerify(t *testing.T) {
	f := newStepFour(t, "save-verify", "hours=1")
	step := f.a.get(f.base + "4")
	box := step.doc.Find(`[data-testid="save-verify"]`)
	if box.Find(`input#client_secret[type="password"]`).Length() != 1 || box.Find(`[data-testid="save-verify-button"]`).Length() != 1 {
		t.Fatalf("no client secret field beside Save and verify: %s", box.Text())
	}
	form := formIn(step, `form[action="`+f.base+`4"]`)
	for k, v := range consoleIDs {
		form[k] = v
	}

	noSecret := f.a.post(f.base+"4", form, "")
	if noSecret.status != http.StatusUnprocessableEntity || !strings.Contains(noSecret.text(`[data-testid="error-client_secret"]`), "enter the client secret") {
		t.Fatalf("without a secret: %d %q", noSecret.status, noSecret.text(`[data-testid="error-client_secret"]`))
	}
	if noSecret.doc.Find(`[data-testid="form-errors"] a[href="#client_secret"]`).Length() != 1 {
		t.Error("the error summary does not link the secret field")
	}
	if got := f.a.get(f.base+"4").doc.Find(`input[name="federation_rule_id"]`).AttrOr("value", ""); got != testenv.FederationRuleID {
		t.Errorf("the settings were not saved while the secret was asked for: %q", got)
	}
	if n := len(f.a.get(f.base + "5").doc.Find(`[data-check]`).Nodes); n != 0 {
		t.Errorf("the report shows %d verdicts of the sample token's run for the Console's settings", n)
	}

	form = formIn(noSecret, `form[action="`+f.base+`4"]`)
	form.Set("client_secret", f.secret)
	verified := f.a.post(f.base+"4", form, "")
	if verified.status != http.StatusSeeOther {
		t.Fatalf("save and verify: %d %s", verified.status, verified.text(`main .alert`))
	}
	report := f.a.follow(verified)
	if report.doc.Find(`[data-testid="stale"], [data-testid="no-report"]`).Length() != 0 || report.doc.Find(`[data-testid="report"]`).Length() != 1 {
		t.Fatalf("the report after Save and verify is not this run's: %s", report.text("main"))
	}
	if got := report.doc.Find(`[data-check="claim.sub"]`).AttrOr("data-status", ""); got != "pass" {
		t.Errorf("claim.sub = %q", got)
	}
	if strings.Contains(noSecret.body+report.body+f.a.get(f.base+"4").body, f.secret) {
		t.Fatal("the client secret was rendered")
	}

	form = formIn(f.a.get(f.base+"4"), `form[action="`+f.base+`4"]`)
	form.Set("rule_name", "renamed-later")
	form.Set("verify", "0")
	if p := f.a.post(f.base+"4", form, ""); p.status != http.StatusSeeOther || p.header.Get("Location") != f.base+"5" {
		t.Fatalf("save without verifying: %d %q", p.status, p.header.Get("Location"))
	}
	later := f.a.get(f.base + "5")
	if later.doc.Find(`[data-testid="stale"]`).Length() != 1 || later.doc.Find(`[data-check]`).Length() != 0 {
		t.Fatalf("after an unverified edit the report shows the older run's verdicts: %s", later.text("main"))
	}
}

// TestSampleVerdictsWithheldAfterAnEdit: a sample token requested before the settings changed
// keeps what it showed (its claims) but not its verdicts — no "the client secret is wrong"
// for a client ID typed since — and the progress no longer marks step 3 failed.
func TestSampleVerdictsWithheldAfterAnEdit(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	a.submit(base+"2", nil)
	a.submit(base+"3", url.Values{"client_secret": {"not-the-demo-secret"}})
	failed := a.get(base + "3")
	if failed.doc.Find(`[data-testid="diagnosis"][data-cause="wrong-secret"]`).Length() != 1 {
		t.Fatalf("the wrong secret is not named: %s", failed.text("main"))
	}
	if p := a.submit(base+"2", url.Values{"access_token_validity": {"hours=2"}}); p.status != http.StatusSeeOther {
		t.Fatalf("edit step 2: %d", p.status)
	}
	later := a.get(base + "3")
	if later.doc.Find(`[data-testid="sample-stale"]`).Length() != 1 {
		t.Fatalf("no word that the settings changed since: %s", later.text(`[data-testid="sample-result"]`))
	}
	if n := later.doc.Find(`[data-testid="diagnosis"], [data-check], [data-testid="sample-failed"]`).Length(); n != 0 {
		t.Errorf("%d verdicts of the earlier request are shown", n)
	}
	if st := later.doc.Find(`[data-testid="step-3"]`).AttrOr("data-state", ""); st == "failed" {
		t.Error("step 3 is marked failed by a request that judged other settings")
	}
}

// TestHeldResultsStayWithTheirConnection: a result an admin API action redirects to is shown for
// its connection, as often as it is loaded; another connection, or an unknown key, gets the step
// as stored with a word that the result is gone.
func TestHeldResultsStayWithTheirConnection(t *testing.T) {
	a, d := newDemoApp(t)
	one, other := startDemoConnection(t, a), startDemoConnection(t, a)
	a.submit(one+"1", url.Values{"name": {"one"}})
	a.submit(other+"1", url.Values{"name": {"other"}})
	page := a.get(one + "2")
	form := formOf(page, url.Values{"api_token": {d.Authentik.APIToken()}})
	posted := a.post(one+"2/inspect", form, page.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	loc := posted.header.Get("Location")
	key := loc[strings.Index(loc, "?held=")+len("?held="):]
	key = strings.TrimSuffix(key, "#provider-read")
	for i := range 2 {
		if p := a.get(one + "2?held=" + key); p.doc.Find(`[data-testid="provider-read"]`).Length() != 1 {
			t.Fatalf("load %d of the held result: %s", i+1, p.text("main"))
		}
	}
	for name, path := range map[string]string{"another connection": other + "2?held=" + key, "an unknown key": one + "2?held=0123"} {
		p := a.get(path)
		if p.status != http.StatusOK || p.doc.Find(`[data-testid="expired"]`).Length() != 1 || p.doc.Find(`[data-testid="provider-read"]`).Length() != 0 {
			t.Errorf("%s: %d, expired note %d", name, p.status, p.doc.Find(`[data-testid="expired"]`).Length())
		}
		// The step as stored, as a plain visit shows it: the recorded token reference is used.
		if ph := p.doc.Find(`input[name="api_token"]`).AttrOr("placeholder", ""); !strings.Contains(ph, "recorded reference") {
			t.Errorf("%s: the API token field does not say the recorded reference is used: %q", name, ph)
		}
	}
	if strings.Contains(a.get(one+"2?held="+key).body, d.Authentik.APIToken()) {
		t.Fatal("the API token is on the held page")
	}
}
