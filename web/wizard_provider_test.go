package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// akApp is a server whose prober trusts no extra CA: a private authentik's CA must be typed on
// the provider step. Its emulator has a provider "claude" and admin API tokens.
type akApp struct {
	*app
	emu *emulator.Emulator
	p   emulator.Provider
}

func newAKApp(t *testing.T, opts ...emulator.Option) *akApp {
	t.Helper()
	emu := testenv.Start(t, opts...)
	p, err := emu.AddProvider(emulator.Provider{Slug: "claude", Name: "Claude", Validity: "minutes=30", IncludeClaims: true})
	if err != nil {
		t.Fatal(err)
	}
	return &akApp{app: newApp(t), emu: emu, p: p}
}

// newConnection creates a connection through the pages and saves its Basics step; it returns the
// wizard's base path (…/wizard/).
func (a *akApp) newConnection(t *testing.T, name, slug, providerName string) string {
	t.Helper()
	p := a.post("/connections", url.Values{"name": {name}}, a.csrf("/connections/new"))
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	base := strings.TrimSuffix(p.header.Get("Location"), "1")
	if s := a.submit(base+"1", url.Values{"authentik_url": {a.emu.URL()}, "app_slug": {slug}, "provider_name": {providerName}}); s.status != http.StatusSeeOther {
		t.Fatalf("basics: %d %s", s.status, s.text(`[data-testid="form-errors"]`))
	}
	return base
}

type goqSel = goquery.Selection

// formOf is the provider step's form on a page as a browser sends it, with changes applied.
func formOf(p page, changes url.Values) url.Values {
	form := url.Values{}
	for _, name := range []string{"version", "client_id", "provider_name", "access_token_validity"} {
		form.Set(name, p.doc.Find(`#provider-form input[name="`+name+`"]`).AttrOr("value", ""))
	}
	form.Set("ca_pem", p.doc.Find(`#provider-form textarea[name="ca_pem"]`).Text())
	for _, name := range []string{"subject_mode", "issuer_mode"} {
		form.Set(name, p.doc.Find(`#provider-form select[name="`+name+`"] option[selected]`).AttrOr("value", ""))
	}
	for k, v := range changes {
		form[k] = v
	}
	return form
}

// step2Form is the provider step's stored form with changes, and the page's CSRF token.
func (a *akApp) step2Form(t *testing.T, base string, changes url.Values) (url.Values, string) {
	t.Helper()
	p := a.get(base + "2")
	return formOf(p, changes), p.doc.Find(`input[name="_csrf"]`).First().AttrOr("value", "")
}

// TestProviderReadFillsTheForm: the read uses the typed Client ID and CA without saving, judges
// the provider, and "Use these values" fills the form; saving then records them.
func TestProviderReadFillsTheForm(t *testing.T) {
	a := newAKApp(t)
	base := a.newConnection(t, "read-me", "claude", "typed name")
	token := a.emu.ReadOnlyAPIToken()

	form, tok := a.step2Form(t, base, url.Values{"client_id": {a.p.ClientID}, "api_token": {token}})
	noCA := a.post(base+"2/inspect", form, tok)
	if noCA.status != http.StatusUnprocessableEntity || noCA.doc.Find(`[data-testid="diagnosis"][data-cause="untrusted-ca"]`).Length() != 1 {
		t.Fatalf("without the CA: %d %q", noCA.status, noCA.text(`main .alert`))
	}
	if _, open := noCA.doc.Find(`details[data-testid="ca-details"]`).Attr("open"); !open || noCA.doc.Find(`a[href="#ca_pem"]`).Length() != 1 {
		t.Error("the untrusted certificate does not lead to the CA field, opened")
	}
	if strings.Contains(noCA.body, "--ca-file") {
		t.Error("the web page names the command line's --ca-file")
	}
	form.Set("ca_pem", string(a.emu.CAPEM()))
	posted := a.post(base+"2/inspect", form, tok)
	if posted.status != http.StatusSeeOther || !strings.Contains(posted.header.Get("Location"), "?held=") {
		t.Fatalf("inspect: %d %q, want a redirect to the result", posted.status, posted.header.Get("Location"))
	}
	read := a.follow(posted)
	if read.status != http.StatusOK || read.doc.Find(`[data-testid="provider-read"]`).Length() != 1 {
		t.Fatalf("inspect result: %d %s", read.status, read.text(`[data-testid="api-error"]`))
	}
	if again := a.follow(posted); again.body != read.body {
		t.Error("loading the result again shows something else")
	}
	if st := read.doc.Find(`tr[data-item="sub_mode"] .badge`).Text(); st != "ok" {
		t.Errorf("sub_mode verdict %q", st)
	}
	if st := read.doc.Find(`tr[data-item="signing_key"]`).Text(); !strings.Contains(st, "claude-signing-") || !strings.Contains(st, "(rsa)") {
		t.Errorf("signing key row %q", st)
	}
	if v := read.doc.Find(`textarea[name="ca_pem"]`).Text(); !strings.Contains(v, "BEGIN CERTIFICATE") {
		t.Error("the typed CA was not kept on the page")
	}
	if stored := a.connection(t, "read-me"); stored.ClientID != "" || stored.CAPEM != "" {
		t.Fatalf("the read saved %+v", stored)
	}

	use := url.Values{}
	for k, v := range form {
		use[k] = v
	}
	read.doc.Find(`input[type="hidden"][name^="use_"]`).Each(func(_ int, s *goqSel) {
		use.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	use.Del("api_token")
	filled := a.follow(a.post(base+"2/use", use, tok))
	if filled.status != http.StatusOK || filled.doc.Find(`[data-testid="filled"]`).Length() != 1 {
		t.Fatalf("use: %d", filled.status)
	}
	for name, want := range map[string]string{"client_id": a.p.ClientID, "provider_name": "Claude", "access_token_validity": "minutes=30"} {
		if v := filled.doc.Find(`#provider-form input[name="`+name+`"]`).AttrOr("value", ""); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	if v := filled.doc.Find(`select[name="subject_mode"] option[selected]`).AttrOr("value", ""); v != wif.SubHashedUserID {
		t.Errorf("subject mode %q", v)
	}
	if p := a.post(base+"2", formOf(filled, nil), tok); p.status != http.StatusSeeOther {
		t.Fatalf("save filled: %d %s", p.status, p.text(`[data-testid="form-errors"]`))
	}
	stored := a.connection(t, "read-me")
	if stored.ClientID != a.p.ClientID || stored.ProviderName != "Claude" || stored.AccessTokenValidity != "minutes=30" ||
		stored.SubjectMode != wif.SubHashedUserID || !strings.Contains(stored.CAPEM, "BEGIN CERTIFICATE") {
		t.Errorf("stored %+v", stored)
	}
	a.assertNoSecrets(t, []string{read.body, filled.body, noCA.body}, token)
}

// TestProviderCreateItForMe: the plan is shown first and changes nothing; applying creates the
// provider and the application, shows the client secret on that page only, records the IDs;
// planning again changes nothing; a read-only token's 403 is explained.
func TestProviderCreateItForMe(t *testing.T) {
	a := newAKApp(t, emulator.WithVersion("2026.5.0"))
	base := a.newConnection(t, "create-me", "claude-new", "Claude New")
	token := a.emu.APIToken()

	form, tok := a.step2Form(t, base, url.Values{"ca_pem": {string(a.emu.CAPEM())}, "api_token": {token}, "subject_mode": {""}})
	plan := a.follow(a.post(base+"2/plan", form, tok))
	if plan.status != http.StatusOK {
		t.Fatalf("plan: %d %s", plan.status, plan.text(`[data-testid="api-error"]`))
	}
	if n := plan.doc.Find(`[data-testid="plan-step"][data-action="create"]`).Length(); n != 2 {
		t.Fatalf("%d creates planned: %s", n, plan.text("main"))
	}
	for field, want := range map[string]string{"sub_mode": wif.SubUsername, "grant_types": "client_credentials", "signing_key": "authentik Self-signed Certificate (rsa)", "redirect_uris": "(none)"} {
		if got := plan.doc.Find(`tr[data-field="` + field + `"] [data-testid="wanted"]`).First().Text(); got != want {
			t.Errorf("planned %s = %q, want %q", field, got, want)
		}
	}
	if _, ok := a.emu.Provider("claude-new"); ok {
		t.Fatal("the plan changed authentik")
	}
	apply := url.Values{}
	plan.doc.Find(`form[action$="/2/apply"] input[type="hidden"]`).Each(func(_ int, s *goqSel) {
		apply.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})

	readOnly := a.post(base+"2/apply", withValue(apply, "api_token", a.emu.ReadOnlyAPIToken()), "")
	if readOnly.status != http.StatusUnprocessableEntity || !strings.Contains(readOnly.text(`[data-testid="apply-error"]`), "HTTP 403") {
		t.Fatalf("read-only token: %d %q", readOnly.status, readOnly.text(`[data-testid="apply-error"]`))
	}

	done := a.post(base+"2/apply", withValue(apply, "api_token", token), "")
	if done.status != http.StatusOK || done.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("apply: %d %s", done.status, done.text(`[data-testid="apply-error"]`))
	}
	p, ok := a.emu.Provider("claude-new")
	if !ok || p.Detached {
		t.Fatal("apply did not create a bound provider")
	}
	if got := done.text(`[data-testid="client-secret"]`); got != p.ClientSecret {
		t.Fatalf("the page shows %d characters, not the new secret", len(got))
	}
	stored := a.connection(t, "create-me")
	if stored.ProviderPK != int64(p.PK) || stored.ClientID != p.ClientID || stored.SubjectMode != wif.SubUsername || stored.Step < 2 {
		t.Errorf("recorded %+v", stored)
	}
	again := a.follow(a.post(base+"2/plan", form, tok))
	if again.doc.Find(`[data-testid="plan-step"][data-action="no change"]`).Length() != 2 {
		t.Errorf("second plan: %s", again.text("main"))
	}
	var later []string
	for _, path := range []string{base + "2", base + "3", strings.TrimSuffix(base, "/wizard/")} {
		later = append(later, a.get(path).body)
	}
	if strings.Contains(strings.Join(later, ""), p.ClientSecret) {
		t.Fatal("the client secret is shown again")
	}
	a.assertNoSecrets(t, append(later, plan.body, again.body, readOnly.body), token, a.emu.ReadOnlyAPIToken(), p.ClientSecret)
	if strings.Contains(done.body, token) {
		t.Error("the API token was rendered on the result page")
	}
}

func withValue(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = vs
	}
	out.Set(k, val)
	return out
}

// TestSampleStepNamesModeContradictions: a recorded subject mode or issuer mode that the sample
// token contradicts is named on the sample step.
func TestSampleStepNamesModeContradictions(t *testing.T) {
	a, d := newDemoApp(t)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	a.submit(base+"2", url.Values{"subject_mode": {wif.SubHashedUserID}, "issuer_mode": {"global"}})
	secret := d.Getenv(func(string) string { return "" })(demo.SecretEnv)
	if p := a.submit(base+"3", url.Values{"client_secret": {secret}}); p.status != http.StatusSeeOther {
		t.Fatalf("step 3: %d", p.status)
	}
	p := a.get(base + "3")
	if p.doc.Find(`[data-testid="sample-failed"]`).Length() != 1 {
		t.Fatalf("step 3 does not say something is wrong: %s", p.text(`[data-testid="sample-result"]`))
	}
	sub := p.doc.Find(`tr[data-check="recorded Subject mode"]`)
	if !strings.Contains(sub.Text(), "Based on the User's username") || !strings.Contains(sub.Text(), "Based on the Hashed User ID") {
		t.Errorf("subject mode row %q", sub.Text())
	}
	iss := p.doc.Find(`tr[data-check="recorded Issuer mode"]`)
	if !strings.Contains(iss.Text(), "per provider") {
		t.Errorf("issuer mode row %q", iss.Text())
	}
	if st := p.doc.Find(`[data-testid="step-3"]`).AttrOr("data-state", ""); st != "failed" {
		t.Errorf("step 3 marked %q", st)
	}
}

// TestAuthentikDownloads: the blueprint and the Terraform are downloadable on the provider step
// and the workload step.
func TestAuthentikDownloads(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	for _, step := range []string{"2", "6"} {
		page := a.get(base + step)
		for _, format := range []string{"authentik-blueprint", "authentik-terraform"} {
			btn := page.doc.Find(`[data-testid="download-` + format + `"]`)
			if btn.Length() != 1 {
				t.Fatalf("step %s has no %s download", step, format)
			}
			action := btn.Closest("form").AttrOr("action", "")
			tok := page.doc.Find(`input[name="_csrf"]`).First().AttrOr("value", "")
			p := a.post(action, url.Values{"format": {format}}, tok)
			if p.status != http.StatusOK || !strings.Contains(p.body, demo.Slug) || !strings.Contains(p.header.Get("Content-Disposition"), "authentik") {
				t.Errorf("step %s %s: %d %s", step, format, p.status, p.header.Get("Content-Disposition"))
			}
		}
	}
}

func (a *akApp) connection(t *testing.T, name string) wif.Connection {
	t.Helper()
	c, err := a.db.GetConnectionByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return *c
}

// assertNoSecrets scans the database, its WAL, the logs and the pages for the secrets.
func (a *akApp) assertNoSecrets(t *testing.T, pages []string, secrets ...string) {
	t.Helper()
	db, _ := os.ReadFile(a.dbPath)
	wal, _ := os.ReadFile(a.dbPath + "-wal")
	for where, b := range map[string][]byte{"db": db, "wal": wal, "logs": []byte(a.logs.String()), "pages": []byte(strings.Join(pages, "\n"))} {
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("a secret (%d characters) reached the %s", len(s), where)
			}
		}
	}
}

// TestProviderTokenReference: a token reference saved on the provider step (under the server's
// rules) makes the wizard's verifications read the provider; a reference the server may not read
// is refused.
func TestProviderTokenReference(t *testing.T) {
	emu := testenv.Start(t)
	p, err := emu.AddProvider(emulator.Provider{Slug: "claude", Name: "Claude", SubMode: wif.SubUsername, IncludeClaims: true})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"WIFWIZ_SECRET_AK": emu.ReadOnlyAPIToken(), "WIFWIZ_SECRET_CLIENT": p.ClientSecret}
	a := &akApp{app: newApp(t, func(c *setup) { c.env = testenv.Env(env) }), emu: emu, p: p}
	base := a.newConnection(t, "ref", "claude", "Claude")
	form, tok := a.step2Form(t, base, url.Values{"client_id": {p.ClientID}, "ca_pem": {string(emu.CAPEM())},
		"subject_mode": {wif.SubUsername}, "access_token_validity": {"hours=1"}, "authentik_token_ref": {"file:/etc/shadow"}})
	if bad := a.post(base+"2", form, tok); bad.status != http.StatusUnprocessableEntity || bad.text(`[data-testid="error-authentik_token_ref"]`) == "" {
		t.Fatalf("a reference outside the policy: %d", bad.status)
	}
	form.Set("authentik_token_ref", "env:WIFWIZ_SECRET_AK")
	if ok := a.post(base+"2", form, tok); ok.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", ok.status, ok.text(`.error`))
	}
	if s := a.submit(base+"3", url.Values{"secret_ref": {"env:WIFWIZ_SECRET_CLIENT"}}); s.status != http.StatusSeeOther {
		t.Fatalf("sample: %d %s", s.status, s.text(`[data-testid="sample-error"]`))
	}
	// The sample token's run is judged on its run page (the report waits for the Console step).
	runs, err := a.db.ListRuns(context.Background(), connID(t, base), 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	row := a.get(runPath(base, runs[0].ID)).doc.Find(`tr[data-check="authentik.provider"]`)
	if st := row.AttrOr("data-status", ""); st != "pass" {
		t.Fatalf("authentik.provider %q: %s", st, row.Text())
	}
	// The recorded reference stops resolving: plan, apply and read say so on the page (422; the
	// plan and the read keep the typed values, the apply's refusal page names what to fix),
	// never as an internal error.
	delete(env, "WIFWIZ_SECRET_AK")
	for _, action := range []string{"plan", "apply", "inspect"} {
		form, tok := a.step2Form(t, base, url.Values{"provider_name": {"Claude (typed)"}})
		pg := a.post(base+"2/"+action, form, tok)
		if pg.status != http.StatusUnprocessableEntity || !strings.Contains(pg.text("main"), "authentik API token: the recorded reference does not resolve here") {
			t.Errorf("%s with an unresolvable reference: %d %s", action, pg.status, pg.text("main"))
		}
		if v := pg.doc.Find(`#provider_name`).AttrOr("value", ""); action != "apply" && v != "Claude (typed)" {
			t.Errorf("%s: the typed provider name became %q", action, v)
		}
	}
	a.assertNoSecrets(t, nil, emu.ReadOnlyAPIToken(), p.ClientSecret)
}

// runPath is the run page of run id of the connection whose wizard is at base.
func runPath(base string, id int64) string {
	return strings.TrimSuffix(base, "/wizard/") + "/runs/" + itoa(id)
}
