package web_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wifwiz/wifwiz/demo"
)

// TestBrowserDemoAdminFeatures: a newcomer in the demo reads the provider from authentik and the
// rules from the Console without typing a token — the demo's recorded references give them —
// and the rule they pick verifies. Screenshots go to testout/browser/demo-admin.
func TestBrowserDemoAdminFeatures(t *testing.T) {
	a, d := newDemoApp(t)
	b := newBrowser(t, "demo-admin")
	walkToSample(b, a.srv.URL, "demo-admin")
	base := strings.TrimSuffix(eval[string](b, `location.pathname`), "3")
	b.typeInto(`#client_secret`, d.Getenv(func(string) string { return "" })(demo.SecretEnv))
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="request-token"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="sample-result"]`)))

	var leave atomic.Bool // the read fills the form unsaved: leaving it asks first; leave
	leave.Store(true)
	b.dialogs(&leave)
	b.open(a.srv.URL, base+"2")
	if ph := b.attr(`#api_token`, "placeholder"); !strings.Contains(ph, "recorded reference") {
		t.Fatalf("the API token field does not offer the recorded reference: %q", ph)
	}
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-provider"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="provider-read"]`)))
	b.screenshot("provider-read")
	if got := b.text(`[data-testid="provider-read"]`); !strings.Contains(got, demo.ProviderName) {
		t.Errorf("the provider read does not name %s: %s", demo.ProviderName, got)
	}

	b.open(a.srv.URL, base+"4")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-console"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="catalog"]`)))
	b.screenshot("console-read")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="use-` + demo.FederationRuleID + `"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="filled"]`)))
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("Verification report")
	b.screenshot("report")
	for _, id := range []string{"console.rule", "console.issuer", "console.service_account", "authentik.provider", "claim.sub"} {
		if got := b.attr(`[data-check="`+id+`"]`, "data-status"); got != "pass" {
			t.Errorf("%s = %s, want pass", id, got)
		}
	}
}
