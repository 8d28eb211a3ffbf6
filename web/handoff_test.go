package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/workload"
)

func TestHandoffPage(t *testing.T) {
	h := newHistoryApp(t, true)
	h.auditOnce(t)
	h.emu.RotateKey(h.p.Slug)
	h.auditOnce(t)

	p := h.get(h.path("/handoff"))
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	settings := p.doc.Find(`[data-testid="settings-authentik"], [data-testid="settings-Anthropic Console"]`)
	for _, want := range []struct{ name, value string }{
		{"name", h.conn.Name}, {"authentik_url", h.conn.AuthentikURL}, {"app_slug", h.conn.AppSlug}, {"provider_name", h.conn.ProviderName},
		{"issuer_url", h.conn.IssuerURL}, {"client_id", h.conn.ClientID}, {"access_token_validity", "hours=1"},
		{"subject_mode", h.conn.SubjectMode}, {"secret_ref", "env:WIFWIZ_SECRET_HISTORY"}, {"service_account_id", h.conn.ServiceAccountID},
		{"issuer_name", h.conn.IssuerName}, {"jwks_source", "inline"}, {"inline_jwks", `"keys"`}, {"rule_name", h.conn.RuleName},
		{"subject_prefix", h.conn.SubjectPrefix}, {"audience", h.conn.Audience}, {"oauth_scope", h.conn.OAuthScope},
		{"token_lifetime", "3600 s"}, {"max_identity_token_lifetime", "3600 s"}, {"federation_rule_id", h.conn.FederationRuleID},
		{"organization_id", h.conn.OrganizationID},
	} {
		row := settings.Find(`tr[data-setting="` + want.name + `"]`)
		if !strings.Contains(row.Text(), want.value) {
			t.Errorf("setting %s = %q, want %q", want.name, row.Text(), want.value)
		}
	}
	if v, _ := settings.Find(`tr[data-setting="issuer_url"]`).Attr("data-verdict"); v != "warn" {
		t.Errorf("issuer_url verdict = %q, want warn (not on 443, inline JWKS)", v)
	}
	if v, _ := settings.Find(`tr[data-setting="token_url"]`).Attr("data-verdict"); v != "" {
		t.Errorf("token_url is not recorded, yet has the verdict %q (a pass would vouch for nothing)", v)
	}
	if v := settings.Find(`tr[data-setting="client_id"] [data-testid="mark"]`).Text(); v != "✓" {
		t.Errorf("client_id mark = %q", v)
	}
	if !strings.Contains(p.text(`[data-testid="recorded"]`), "browser") {
		t.Errorf("recorded = %q", p.text(`[data-testid="recorded"]`))
	}
	if !strings.Contains(p.text(`[data-testid="handoff-status"]`), "failed") {
		t.Errorf("status = %q", p.text(`[data-testid="handoff-status"]`))
	}
	if p.doc.Find(`tr[data-check="header.kid"]`).Length() != 1 {
		t.Error("the failed check is not listed")
	}
	warnings := p.text(`[data-testid="warnings"]`)
	if !strings.Contains(warnings, "(kid)") || !strings.Contains(warnings, "(inline_jwks)") {
		t.Errorf("warnings = %q", warnings)
	}
	env, _ := workload.Render(h.conn, workload.FormatShell, workload.Options{})
	if p.text(`[data-testid="handoff-env"]`) != strings.TrimSpace(env) {
		t.Errorf("env block differs from the shell export:\n%s", p.text(`[data-testid="handoff-env"]`))
	}
	if got := p.text(`[data-testid="secret-place"]`); !strings.Contains(got, "env:WIFWIZ_SECRET_HISTORY") {
		t.Errorf("secret place = %q", got)
	}
	if strings.Contains(p.body, h.p.ClientSecret) || jwtLike(p.body) {
		t.Error("the hand-off page holds the secret or a JWT")
	}
	// A real checklist: tasks with owners and states (issue 14, item 10).
	tasks := p.doc.Find(`[data-testid="tasks"] li`)
	if tasks.Length() < 5 {
		t.Fatalf("%d tasks", tasks.Length())
	}
	if st := tasks.First().AttrOr("data-state", ""); st != "open" || !strings.Contains(tasks.First().Text(), "failed on") {
		t.Errorf("first task %q (%s), want the failing verification open", tasks.First().Text(), st)
	}
	if st := p.doc.Find(`[data-testid="tasks"] li.done`).First().AttrOr("data-state", ""); st != "done" {
		t.Errorf("a done task is in state %q", st)
	}
	if !strings.Contains(warnings, "issuer.url warned") {
		t.Errorf("warnings = %q, want the warned check among them", warnings)
	}
	for _, emoji := range []string{"✅", "⚠️", "❌"} {
		if strings.Contains(p.body, emoji) {
			t.Errorf("the page uses the emoji %s", emoji)
		}
	}
	md := h.post(h.path("/export"), url.Values{"format": {"markdown"}}, h.csrf(h.path("/handoff")))
	if !strings.Contains(md.body, "## Checklist\n\n- [ ] **Verification passes with these settings** (connection owner) — open.") {
		t.Errorf("the Markdown checklist has no task list:\n%s", md.body)
	}
}

func TestHandoffHidesAMalformedReference(t *testing.T) {
	h := newHistoryApp(t, false)
	pasted := "pasted-secret-" + strings.Repeat("x", 40)
	h.conn.SecretRef = pasted
	if err := h.db.UpdateConnection(context.Background(), &h.conn, "browser"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{h.path("/handoff"), h.path("")} {
		p := h.get(path)
		if p.status != 200 || strings.Contains(p.body, pasted) {
			t.Errorf("%s: status %d; a malformed reference may be the secret and must not be shown, not even in the timeline", path, p.status)
		}
	}
	if got := h.get(h.path("/handoff")).text(`[data-testid="secret-place"]`); !strings.Contains(got, "not shown") {
		t.Errorf("secret place = %q", got)
	}
}
