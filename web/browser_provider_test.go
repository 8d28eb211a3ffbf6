package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// TestBrowserCreateItForMe walks "Create it for me" in Chromium: a new connection's basics, the
// provider step's button with an API token, the plan, the apply with the token typed again, and
// the result page with the client secret shown once.
func TestBrowserCreateItForMe(t *testing.T) {
	emu := testenv.Start(t, emulator.WithVersion("2026.5.0"))
	a := newApp(t, func(c *setup) { c.runner = &probe.Runner{ExtraCA: emu.CAPEM()} })
	b := newBrowser(t, "create-provider")

	b.do(chromedp.Navigate(a.srv.URL + "/connections/new"))
	b.waitHeading("New connection")
	b.typeInto(`#name`, "created-for-me")
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("Basics")
	b.typeInto(`#authentik_url`, emu.URL())
	b.typeInto(`#app_slug`, "claude-wif")
	b.typeInto(`#provider_name`, "Claude WIF")
	b.do(chromedp.Click(chromedp.CSS(`main form.card button[type="submit"]`)))
	b.waitHeading("authentik provider")
	b.typeInto(`#api_token`, emu.APIToken())
	b.screenshot("step2-provider")

	b.do(chromedp.Click(chromedp.CSS(`[data-testid="create-provider"]`)))
	b.waitHeading("Create it for me: the plan")
	b.screenshot("plan")
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="plan-step"][data-action="create"]').length`)); n != 2 {
		t.Fatalf("%d creates planned", n)
	}
	if got := b.text(`tr[data-field="grant_types"] [data-testid="wanted"]`); got != "client_credentials" {
		t.Errorf("planned grant types %q", got)
	}
	if _, ok := emu.Provider("claude-wif"); ok {
		t.Fatal("showing the plan changed authentik")
	}

	b.typeInto(`#api_token`, emu.APIToken())
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="apply-plan"]`)))
	b.waitHeading("Create it for me: done")
	b.screenshot("applied")
	p, ok := emu.Provider("claude-wif")
	if !ok || p.Detached || p.SubMode != wif.SubUsername {
		t.Fatalf("authentik has %+v", p)
	}
	if got := b.text(`[data-testid="client-secret"]`); got != p.ClientSecret {
		t.Fatalf("the page shows a secret of %d characters, not the new one", len(got))
	}
	if got := b.text(`[data-testid="created-client-id"]`); got != p.ClientID {
		t.Errorf("client ID shown %q, want %q", got, p.ClientID)
	}

	b.do(chromedp.Click(chromedp.CSS(`[data-testid="to-sample"]`)))
	b.waitHeading("Sample token")
	html, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, p.ClientSecret) || strings.Contains(html, emu.APIToken()) {
		t.Fatal("a secret is on the next page")
	}
}
