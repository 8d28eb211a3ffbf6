package main

import (
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/actions"
)

func renderManual(p printer, res *results) {
	m := res.Manual
	p("## 2. `wifwiz check` against the manual way")
	p("")
	p("The built binary, `wifwiz check` with flags, the CA file and the inline JWKS file, started as a process per check,")
	p("against the authentik guide's way: `curl --cacert` for discovery, for the JWKS and for the token (the form from a file),")
	p("one after the other as a person types them, then `jq` decoding the token's header and claims. Both ways are timed")
	p("from the first process start to the last exit, alternating, on the same emulator. The manual way checks nothing: a")
	p("person still has to compare `iss`, `sub`, `aud`, `kid` and the lifetimes by eye; `wifwiz check` reports %d checks.", m.Checks)
	p("")
	if m.Missing != "" {
		p("**Skipped the manual way: %s not installed.** Only `wifwiz check` was timed.", m.Missing)
		p("")
	}
	if len(m.Rows) == 0 {
		notRun(p)
		return
	}
	p("| L | runs | `wifwiz check` median · p95 | curl ×3 + jq median · p95 | manual ÷ wifwiz |")
	p("|---|---|---|---|---|")
	for _, r := range m.Rows {
		manual, ratio := "skipped", "—"
		if m.Missing == "" {
			manual, ratio = ms(r.Manual.P50)+" · "+ms(r.Manual.P95), fmt.Sprintf("**%.2f×**", r.Ratio())
		}
		p("| %s | %d | %s · %s | %s | %s |", ms(r.Latency), r.Wifwiz.N, ms(r.Wifwiz.P50), ms(r.Wifwiz.P95), manual, ratio)
	}
	p("")
	p("The manual way pays a round trip per curl (three, in sequence) and a TLS handshake per process; `wifwiz check` opens")
	p("its connections once and sends discovery, the JWKS and the token request together (the issuer has authentik's shape):")
	p("one round trip. At L = 0 only process start and TLS remain.")
	p("")
}

func renderAudits(p printer, res *results) {
	p("## 3. Audit scaling")
	p("")
	p("`actions.Service.Audit` (what `wifwiz audit` runs) over every stored connection, %d at a time, at L = %s, in a child process", actions.DefaultAuditConcurrency, ms(benchLatency))
	p("so that its memory and CPU are its own; the emulator runs in the harness, on the same cores. Connections are spread")
	p("evenly over the issuers; each has its secret reference, inline JWKS and Console IDs. *First*: no earlier run;")
	p("*repeat*: the same database again, when each connection has a passing run to compute drift against. Wall time covers")
	p("listing the connections, verifying them and recording every run. Requests are counted by the emulator for the first")
	p("audit. CPU: the audit process's user + system time, and the harness's meanwhile (the emulator answering); *other")
	p("load*: the cores the machine's other processes kept busy meanwhile (from /proc/stat).")
	p("")
	if len(res.Audits) == 0 {
		notRun(p)
		return
	}
	p("| keys | connections | issuers | wall, first | wall, repeat | requests per connection | at once (max) | CPU audit · emulator | other load | peak heap | max RSS |")
	p("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, a := range res.Audits {
		r := a.First
		p("| %s | %d | %d | %s | %s | %s (%s) | %d | %s · %s | %s | %s | %s |", a.Signing, a.Connections, a.Issuers, seconds(r.Wall), seconds(a.Repeat.Wall),
			trimFloat(r.requests()), countsText(r.PerConnection), r.MaxInFlight, seconds(r.CPU), seconds(r.EmulatorCPU), coresText(r.OtherCores),
			mib(r.PeakHeapInuse), mib(r.MaxRSS))
	}
	for _, a := range res.Audits {
		if c := a.Command; c != nil {
			p("")
			p("The built binary on the same %s database of %d connections across %d issuers, a third audit: `wifwiz audit --db … --ca-file … --json`,", a.Signing, a.Connections, a.Issuers)
			p("timed from process start to exit: **%s** (CPU %s, emulator %s, other load %s, max RSS %s, %s requests per connection).",
				seconds(c.Wall), seconds(c.CPU), seconds(c.EmulatorCPU), coresText(c.OtherCores), mib(c.MaxRSS), trimFloat(c.requests()))
		}
	}
	p("")
	p("Discovery and JWKS are fetched once per issuer per audit (one `authentik.IssuerCache`), so a connection costs one")
	p("token request plus 2 × issuers ÷ connections. With %d connections at once and one round trip each, the floor is", actions.DefaultAuditConcurrency)
	p("connections ÷ %d × L: %s for 1,000 at L = %s. Above it, the audit is bound by CPU: the audit's and the emulator's", actions.DefaultAuditConcurrency,
		seconds(time.Duration((1000+actions.DefaultAuditConcurrency-1)/actions.DefaultAuditConcurrency)*benchLatency), ms(benchLatency))
	p("together cannot take less than their sum ÷ %d cores. With RSA keys the emulator signs two RS256 tokens (id_token and", res.Machine.Cores)
	p("access token) per request, a real authentik's cost that would run on its own machine; with EC keys that cost nearly")
	p("vanishes and the figure is wifwiz's own.")
	p("")
}

func renderPages(p printer, res *results) {
	p("## 4. Pages under load")
	p("")
	p("`web.New` on a loopback port in the harness, the database on disk: 1,000 connections with a verification run each")
	p("(CA and inline JWKS recorded, as real ones are), one of them with 100 runs. %d clients request the page in a loop,", res.Options.clients)
	p("each waiting for its answer, for %s; every answer must be a 200 holding the page's table. *Alone*: one client for", res.Options.duration)
	p("%s first, the page's own cost; *CPU per request* is the harness's CPU time then (server and client) per request —", serviceTimeLoad)
	p("a figure other work on the machine moves little. Heap is `HeapInuse` after a GC, before and after the load.")
	p("*p99 < 20 ms up to*: the most clients (of %v, %s each) under which p99 stayed below the target.", capacitySteps, serviceTimeLoad)
	p("")
	if len(res.Pages.Pages) == 0 {
		notRun(p)
		return
	}
	p("| page | size | requests/s | p50 | p99 | max | errors | other load | alone p50 · p99 | CPU per request | p99 < 20 ms up to | heap before → after | goroutines |")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, pg := range res.Pages.Pages {
		capacity := "none"
		if !res.Options.capacity {
			capacity = "not measured"
		} else if pg.Capacity > 0 {
			capacity = fmt.Sprintf("%d clients (p99 %s)", pg.Capacity, ms(pg.CapacityP99))
		}
		p("| %s `%s` | %.0f KiB | %.0f | %s | %s | %s | %d of %d | %s | %s · %s | %s | %s | %s → %s | %d → %d |", pg.Name, pg.Path, float64(pg.Bytes)/1024,
			pg.RPS, ms(pg.Latency.P50), ms(pg.Latency.P99), ms(pg.Latency.Max), pg.Errors, pg.Requests, coresText(pg.OtherCores),
			ms(pg.Alone.P50), ms(pg.Alone.P99), ms(pg.AloneCPU), capacity, mib(pg.HeapBefore), mib(pg.HeapAfter), pg.GoroutinesBF[0], pg.GoroutinesBF[1])
	}
	p("")
	p("With %d clients on %d cores, each request waits for the ones ahead of it: p50 under load is about clients ÷ cores ×", res.Options.clients, res.Machine.Cores)
	p("the page's own cost (the *alone* column), more since the clients — reading and checking every answer — share those")
	p("cores. A p99 under 20 ms with %d clients needs a page costing well under 20 ms × %d ÷ %d = %s, the load generator included.",
		res.Options.clients, res.Machine.Cores, res.Options.clients, ms(pageTarget*time.Duration(res.Machine.Cores)/time.Duration(res.Options.clients)))
	p("")
}

func renderStartup(p printer, res *results) {
	s := res.Startup
	p("## 5. Start-up, size, memory")
	p("")
	p("The binary built as `make build` builds it (`-trimpath -ldflags '-s -w'`), started %d times as `wifwiz serve` on an", s.ToPage.N)
	p("existing database of 1,000 connections (the pages' database); the harness polls `/healthz` every millisecond, then")
	p("loads `/` and checks that it lists all 1,000. Idle memory is `VmRSS` from `/proc/PID/status` one second later.")
	p("")
	if s.ToPage.N == 0 {
		notRun(p)
		return
	}
	p("| binary size | start → /healthz, median · max | start → first page, median · max | idle RSS | peak RSS (VmHWM) |")
	p("|---|---|---|---|---|")
	p("| %s | %s · %s | **%s** · %s | %s | %s |", mib(uint64(s.Binary.Size)), ms(s.ToHealth.P50), ms(s.ToHealth.Max),
		ms(s.ToPage.P50), ms(s.ToPage.Max), mib(s.IdleRSS), mib(s.PeakRSS))
	p("")
}

func renderGoBench(p printer, res *results) {
	g := res.GoBench
	p("## Go benchmarks")
	p("")
	if g.Command == "" {
		p("Not run (`-gobench=false`).")
		p("")
		return
	}
	p("`%s` (not part of `make test`, which only compiles them):", g.Command)
	p("")
	if g.Failed != "" {
		p("**`go test` failed**; the lines below are what ran before it did:")
		p("")
		p("```")
		p("%s", g.Failed)
		p("```")
		p("")
	}
	p("```")
	for _, l := range g.Lines {
		p("%s", l)
	}
	p("```")
	p("")
	p("`BenchmarkVerifyEmulator` reports its time per check in units of its injected latency (`round-trips/op`); its issuer")
	p("has authentik's shape, so one is the limit.")
}
