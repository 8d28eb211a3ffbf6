package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAudit runs the audit from its page with htmx: the button swaps in the progress
// fragment, which polls until the summary arrives. Latency makes the progress observable; no
// timing is asserted.
func TestBrowserAudit(t *testing.T) {
	a, emu, _ := newAuditApp(t)
	b := newBrowser(t, "audit")
	b.do(chromedp.Navigate(a.srv.URL + "/audit"))
	b.waitHeading("Audit")
	b.screenshot("audit-page")
	emu.SetLatency(time.Second)

	b.do(chromedp.Click(chromedp.CSS(`[data-testid="start-audit"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-job"][data-finished="false"]`)))
	b.screenshot("audit-progress")
	if got := b.text(`[data-testid="audit-count"]`); got != "0 of 4" && got != "1 of 4" && got != "2 of 4" && got != "3 of 4" {
		t.Errorf("progress while running = %q, want n of 4", got)
	}
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-job"][data-finished="true"]`)))
	b.screenshot("audit-summary")
	if got := b.text(`[data-testid="audit-count"]`); got != "4 of 4" {
		t.Errorf("finished progress = %q", got)
	}
	for status, want := range map[string]string{"passed": "3", "skipped": "1", "failed": "0", "drifted": "0"} {
		if got := b.text(`[data-testid="count-` + status + `"]`); got != want {
			t.Errorf("%s = %s, want %s", status, got, want)
		}
	}
	if got := b.attr(`[data-testid="audit-summary"] dd[data-status="passed"] a`, "href"); got == "" {
		t.Error("the summary does not link to the reports")
	}
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="audit-row"]').length`)); n != 4 {
		t.Errorf("%d rows, want one per connection", n)
	}
}
