package main

import (
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
)

// renderGaps explains each missed target with the figures that show its cause.
func renderGaps(p printer, res *results) {
	p("## Where a target is missed, and why")
	p("")
	renderCheckGap(p, res)
	renderAuditGap(p, res)
	renderPageGap(p, res)
	p("")
}

func renderCheckGap(p printer, res *results) {
	for _, c := range res.Checks {
		if c.Latency == 0 || c.met() {
			continue
		}
		r50, r95 := times(c.Spread.P50, c.Latency), times(c.Spread.P95, c.Latency)
		p("- **One check at L = %s%s** (median %.2f × L, p95 %.2f × L; target ≤ %s × L):", ms(c.Latency), c.note(), r50, r95, trimFloat(c.target()))
		if r50 <= c.target() {
			p("  the median meets the target; the p95 is %s slower. The one process that runs both the emulator and wifwiz",
				ms(c.Spread.P95-c.Spread.P50))
			p("  collected garbage %d times during these %d checks, and other processes kept %s busy (of %d).", c.GCs, c.Spread.N+1,
				coresText(c.OtherCores), res.Machine.Cores)
			continue
		}
		an := res.Anatomy
		above := c.Spread.P50 - time.Duration(c.roundTrips())*c.Latency
		trip := ms(c.Discovered.P50 - c.Latency)
		switch {
		case c.Generic:
			p("  %s above 2 × L at the median, a fixed cost that weighs more the smaller L is. Discovery answered after L + %s",
				ms(above), trip)
			p("  (medians); the token request waits for it, as this issuer's endpoint comes from discovery, and the last answer")
			p("  came L + %s later — alone at L = 0 the token costs %s, the emulator signing two RS256 tokens. wifwiz's checks",
				ms(c.LastAnswer.P50-c.Latency), ms(an.Token.P50))
			p("  took %s.", ms(c.Engine.P50))
		case c.Signing == emulator.RS256:
			p("  %s above L at the median, a fixed cost that weighs more the smaller L is. Discovery answered after L + %s",
				ms(above), trip)
			p("  (medians: loopback, TLS, the machine waking when the emulator's wait ends); the last answer, the token's, came %s",
				ms(c.LastAnswer.P50))
			p("  after it — alone at L = 0 the token costs %s, the emulator signing two RS256 tokens (discovery %s, JWKS %s) —",
				ms(an.Token.P50), ms(an.Discovery.P50), ms(an.JWKS.P50))
			p("  and wifwiz's checks took %s. %d of %d checks had all three requests in flight at once. With ES256 keys the same",
				ms(c.Engine.P50), c.Together, c.Spread.N)
			p("  check takes %s.", checkFigureText(res, checkSetup{Latency: c.Latency, Signing: emulator.ES256}))
		default:
			p("  %s above L at the median: discovery answered after L + %s, the last answer came %s after it and wifwiz's",
				ms(above), trip, ms(c.LastAnswer.P50))
			p("  checks took %s (medians; %d of %d checks had all three requests in flight at once). Other processes kept %s",
				ms(c.Engine.P50), c.Together, c.Spread.N, coresText(c.OtherCores))
			p("  busy (of %d).", res.Machine.Cores)
		}
	}
}

func renderAuditGap(p printer, res *results) {
	for _, a := range res.Audits {
		r := a.First
		if a.Connections != 1000 || (r.Wall < 3*time.Second && a.Repeat.Wall < 3*time.Second) {
			continue
		}
		rounds := time.Duration((a.Connections+actions.DefaultAuditConcurrency-1)/actions.DefaultAuditConcurrency) * benchLatency
		free := float64(res.Machine.Cores) - r.OtherCores
		p("- **Audit of 1,000 connections, %d issuer(s), %s keys** (first %s, repeat %s): bound by CPU, not round trips", a.Issuers, a.Signing,
			seconds(r.Wall), seconds(a.Repeat.Wall))
		p("  (those need %s). The audit used %s of CPU and the emulator %s answering it, on %d cores of which other", seconds(rounds),
			seconds(r.CPU), seconds(r.EmulatorCPU), res.Machine.Cores)
		if free > 0.1 {
			p("  processes kept %s busy: at least %s.", coresText(r.OtherCores), seconds(time.Duration(float64(r.CPU+r.EmulatorCPU)/free)))
		} else {
			p("  processes kept %s busy.", coresText(r.OtherCores))
		}
		if a.Signing == emulator.RS256 {
			p("  Most of the emulator's share is signing two RS256 tokens per connection, which authentik does on its own machine.")
		}
	}
}

func renderPageGap(p printer, res *results) {
	missed := false
	for _, pg := range res.Pages.Pages {
		missed = missed || pg.Latency.P99 >= pageTarget
	}
	if !missed {
		return
	}
	budget := pageTarget * time.Duration(res.Machine.Cores) / time.Duration(res.Options.clients)
	p("- **Pages, p99 with %d clients**: queueing on %d cores. A closed loop of %d clients keeps every core busy, so a request", res.Options.clients,
		res.Machine.Cores, res.Options.clients)
	p("  waits for about clients ÷ cores others; p99 under 20 ms needs a page costing under %s of CPU, load generator", ms(budget))
	p("  included. Measured alone:")
	for _, pg := range res.Pages.Pages {
		p("  %s %s CPU per request (p99 < 20 ms held up to %s; other processes kept %s busy during its load);", pg.Name,
			ms(pg.AloneCPU), capacityText(res, pg), coresText(pg.OtherCores))
	}
	p("  the list shows 50 of the 1,000 connections a page (%.0f KiB of HTML); see Fixes for the page of 1,000 rows it replaced.", float64(listBytes(res))/1024)
}

func capacityText(res *results, pg pageLoad) string {
	switch {
	case !res.Options.capacity:
		return "— (not measured)"
	case pg.Capacity == 0:
		return "no client count tried"
	}
	return trimFloat(float64(pg.Capacity)) + " clients"
}

func listBytes(res *results) int {
	if len(res.Pages.Pages) == 0 {
		return 0
	}
	return res.Pages.Pages[0].Bytes
}
