package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func (b *browser) value(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// TestBrowserConsoleRead: on the Console step, the token is typed into a password field, the
// rule is picked from the list the Console's API gave, and every field fills in; saving verifies.
func TestBrowserConsoleRead(t *testing.T) {
	w := newConsoleWeb(t, "browser-read", true)
	b := newBrowser(t, "console-read")
	b.do(chromedp.Navigate(w.a.srv.URL + w.base + "4"))
	b.waitHeading("Anthropic Console")
	b.screenshot("console-step")
	if typ := b.attr(`#console_token`, "type"); typ != "password" {
		t.Fatalf("the Console token field is a %s field", typ)
	}
	b.typeInto(`#console_token`, w.token)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-console"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="catalog"]`)))
	b.screenshot("rules-read")
	if v := b.value(`#console_token`); v != "" {
		t.Fatal("the Console token was echoed back into the field")
	}
	if !strings.Contains(b.text(`[data-testid="catalog"]`), w.made.SubjectPrefix) {
		t.Fatalf("the rule's match is not listed: %s", b.text(`[data-testid="catalog"]`))
	}
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="use-` + w.made.FederationRuleID + `"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="filled"]`)))
	b.screenshot("filled-in")
	for sel, want := range map[string]string{"#federation_rule_id": w.made.FederationRuleID, "#service_account_id": w.made.ServiceAccountID,
		"#organization_id": w.made.OrganizationID, "#workspace_id": w.made.WorkspaceID, "#subject_prefix": w.made.SubjectPrefix} {
		if got := b.value(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("Verification report")
	b.screenshot("report")
	if got := b.attr(`[data-check="claim.sub"]`, "data-status"); got != "pass" {
		t.Fatalf("claim.sub = %s", got)
	}
	if c := w.stored(t); c.FederationRuleID != w.made.FederationRuleID {
		t.Fatalf("stored rule ID %q", c.FederationRuleID)
	}
	w.assertTokenNowhere(t)
}

// TestBrowserConsoleCreate: "Create it for me" shows the plan first; applying it (the token typed
// again, as it is never kept) creates the Console side and records the IDs.
func TestBrowserConsoleCreate(t *testing.T) {
	w := newConsoleWeb(t, "browser-create", false)
	ws := w.anth.AddWorkspace("batch").ID
	b := newBrowser(t, "console-create")
	b.do(chromedp.Navigate(w.a.srv.URL + w.base + "4"))
	b.waitHeading("Anthropic Console")
	b.typeInto(`#plan_console_token`, w.token)
	b.typeInto(`#plan_workspace_id`, ws)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="show-plan"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="plan"]`)))
	b.screenshot("plan")
	if got := b.attr(`section[data-object="federation rule"]`, "data-action"); got != "create" {
		t.Fatalf("rule step %s", got)
	}
	if len(w.anth.History()) != 0 || w.stored(t).FederationRuleID != "" {
		t.Fatal("showing the plan changed something")
	}
	b.typeInto(`#apply_console_token`, w.token)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="apply-plan"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="applied"]`)))
	b.screenshot("applied")
	c := w.stored(t)
	if !strings.HasPrefix(c.FederationRuleID, "fdrl_") || b.value(`#federation_rule_id`) != c.FederationRuleID || b.value(`#workspace_id`) != ws {
		t.Fatalf("recorded %q, shown %q", c.FederationRuleID, b.value(`#federation_rule_id`))
	}
	w.assertTokenNowhere(t)
}
