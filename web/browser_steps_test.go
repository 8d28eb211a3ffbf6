package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

// wizardSteps sweeps the wizard's steps 2, 3 and 4 in their main states — as opened, with what
// authentik's or the Console's API returned, with a plan shown, after a failure — at 1280 and 390
// px: no serious or critical axe violation, no sideways scrolling, the polish of issue 14's item
// 13 (copy buttons beside their input, badges and fields with room around them, one JWKS text
// area), the first field focused on a plain visit and the error summary after a refusal.
// Screenshots go to testout/browser/pages.
func wizardSteps(t *testing.T, b *browser, ps *pageSet) {
	a := ps.a
	sweep := func(name string, checks ...func(width string)) {
		t.Helper()
		for _, w := range widths {
			b.viewport(w.w, w.h)
			b.screenshot(w.name + "-" + name)
			if n := b.overflow(); n > 0 {
				t.Errorf("%s at %s px: the page scrolls sideways by %d px (%s)", name, w.name, n, b.widest())
			}
			for _, v := range b.axe() {
				t.Errorf("%s at %s px: axe %s (%s): %s — %v", name, w.name, v.ID, v.Impact, v.Help, v.Nodes)
			}
			for _, p := range b.polish() {
				t.Errorf("%s at %s px: %s", name, w.name, p)
			}
			for _, check := range checks {
				check(w.name)
			}
		}
	}
	focused := func(name, want string) {
		t.Helper()
		if got := b.focus(want); got != want {
			t.Errorf("%s opens with the focus on %q, want %q", name, got, want)
		}
	}
	var leave atomic.Bool // pages with values not saved ask before they are left: leave
	leave.Store(true)
	b.dialogs(&leave)
	d := ps.demo
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)

	// Step 2: as opened, read through the admin API, filled in, refused, the plan, applied.
	b.viewport(1280, 800)
	b.open(a.srv.URL, base+"2")
	focused("step 2", "client_id")
	sweep("step2-empty")
	b.viewport(1280, 800)
	b.typeInto(`#api_token`, d.Authentik.APIToken())
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-provider"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="provider-read"]`)))
	sweep("step2-read")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="use-values"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="filled"]`)))
	sweep("step2-filled")
	b.open(a.srv.URL, base+"2")
	b.typeInto(`#api_token`, "not-the-api-token")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-provider"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-errors"]`)))
	focused("step 2 refused", "form-errors")
	sweep("step2-refused")
	b.open(a.srv.URL, base+"2")
	b.typeInto(`#api_token`, d.Authentik.APIToken())
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="create-provider"]`)))
	b.waitHeading("Create it for me: the plan")
	sweep("step2-plan")
	b.typeInto(`#api_token`, d.Authentik.APIToken())
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="apply-plan"]`)))
	b.waitHeading("Create it for me: done")
	if loc := eval[string](b, `location.href`); !strings.Contains(loc, "?held=") {
		t.Errorf("applying a plan that makes no secret ends at %q, not a page of its own", loc)
	}
	sweep("step2-applied")

	// Step 3: as opened, passed, and the wrong secret.
	b.viewport(1280, 800)
	a.submit(base+"2", nil)
	b.open(a.srv.URL, base+"3")
	focused("step 3", "client_secret")
	sweep("step3-empty")
	if p := a.submit(base+"3", nil); p.status != http.StatusSeeOther {
		t.Fatalf("sample: %d", p.status)
	}
	b.open(a.srv.URL, base+"3")
	sweep("step3-passed", func(width string) {
		if width != "1280" {
			return
		}
		// The header's few rows are not stretched to the height of the claims beside them.
		ratio := eval[float64](b, `(() => { const t = document.querySelectorAll('.grid-2 > .table-wrap');
			return t[0].getBoundingClientRect().height / t[1].getBoundingClientRect().height; })()`)
		if ratio > 0.6 {
			t.Errorf("the header panel is stretched to %.0f%% of the claims' height", ratio*100)
		}
	})
	wrong := startDemoConnection(t, a)
	a.submit(wrong+"1", nil)
	a.submit(wrong+"2", nil)
	if p := a.submit(wrong+"3", url.Values{"client_secret": {"not-the-demo-secret"}}); p.status != http.StatusSeeOther {
		t.Fatalf("sample with a wrong secret: %d", p.status)
	}
	b.open(a.srv.URL, wrong+"3")
	sweep("step3-wrong-secret")

	// Step 4: as opened, the Console read, a rule used, the plan, refusals.
	w := newConsoleWeb(t, "sweep", true)
	b.viewport(1280, 800)
	b.open(w.a.srv.URL, w.base+"4")
	focused("step 4", "console_token")
	sweep("step4-empty", func(string) {
		if n := eval[int](b, `[...document.querySelectorAll("textarea")].filter(t => t.value.includes('"keys"')).length`); n != 1 {
			t.Errorf("%d text areas hold the JWKS, want one", n)
		}
	})
	b.typeInto(`#console_token`, w.token)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-console"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="catalog"]`)))
	sweep("step4-read")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="use-` + w.made.FederationRuleID + `"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="filled"]`)))
	sweep("step4-filled")
	b.open(w.a.srv.URL, w.base+"4")
	b.typeInto(`#plan_console_token`, w.token)
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="show-plan"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="plan"], [data-testid="plan-nothing"]`)))
	sweep("step4-plan")
	b.open(w.a.srv.URL, w.base+"4")
	b.typeInto(`#console_token`, "sk-ant-admin01-NotAnOAuthToken")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="read-console"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="read-error"]`)))
	sweep("step4-read-refused")
	b.open(w.a.srv.URL, w.base+"4")
	b.typeInto(`#service_account_id`, "fdrl_not-a-service-account")
	b.do(chromedp.Click(chromedp.CSS(`[data-testid="save-verify-button"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-errors"]`)))
	focused("step 4 refused", "form-errors")
	sweep("step4-refused")
}

// polish lists what issue 14's item 13 asks of a page and it lacks: copy buttons beside their
// input, never between an input and its hint; badges with room to the edges of their card;
// fields with room between them; buttons in their row.
func (b *browser) polish() []string {
	b.t.Helper()
	return eval[[]string](b, `(() => {
		const out = [], shown = e => e.offsetParent !== null, r = e => e.getBoundingClientRect();
		for (const btn of document.querySelectorAll("button.copy-field")) {
			if (!shown(btn)) continue;
			const field = btn.closest(".field"), hint = field && field.querySelector(".hint");
			if (hint && r(hint).top < r(btn).bottom - 1) out.push("the copy button of " + field.dataset.testid + " sits between its input and its hint");
		}
		for (const badge of document.querySelectorAll(".card .badge")) {
			if (!shown(badge)) continue;
			const card = badge.closest(".card"), a = r(badge), c = r(card);
			const room = Math.min(a.left - c.left, c.right - a.right, a.top - c.top, c.bottom - a.bottom);
			if (room < 6) out.push("a badge (" + badge.textContent.trim() + ") touches its card's edge (" + room.toFixed(0) + " px)");
		}
		for (const field of document.querySelectorAll(".field + .field")) {
			const prev = field.previousElementSibling;
			if (!shown(field) || !shown(prev)) continue;
			const gap = r(field).top - r(prev).bottom;
			if (gap < 8) out.push("no room between " + (prev.dataset.testid || "a field") + " and " + (field.dataset.testid || "the next") + " (" + gap.toFixed(0) + " px)");
		}
		// A <form> inside a <p> closes the paragraph: the buttons then fall out of their row.
		for (const row of document.querySelectorAll(".actions")) {
			if (row.children.length === 0) out.push("an empty row of actions (" + row.tagName.toLowerCase() + "): its buttons fell out of it");
		}
		return out;
	})()`)
}

// widest names the innermost elements, or the text, reaching past the window's right edge, to
// say what makes a page scroll sideways.
func (b *browser) widest() string {
	b.t.Helper()
	return eval[string](b, `(() => {
		const past = r => r.right > window.innerWidth + 1, out = [];
		const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n && out.length < 3; n = walk.nextNode()) {
			const range = document.createRange(); range.selectNodeContents(n);
			const e = n.parentElement;
			if (e.closest(".visually-hidden, ol.steps a:not([aria-current]) .step-title, script, style")) continue;
			if (n.textContent.trim() && past(range.getBoundingClientRect())) {
				out.push(e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "") + ": " + n.textContent.trim().slice(0, 60));
			}
		}
		return out.join(" | ");
	})()`)
}
