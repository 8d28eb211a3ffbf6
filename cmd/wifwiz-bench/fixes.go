package main

// fix is a slowness the figures showed and the change that removed it. Before and After were
// measured by this harness (`-only pages -duration 3s -capacity=false`) on the tree with the
// fixes taken out and put back one at a time, each row adding its fix to those above it: two
// rounds back to back in opposite orders, averaged, load average about 1.5 on the 2-core
// machine of this report. CPU is the harness's (server and client) per request with one client;
// requests/s is with 32.
type fix struct {
	Title, Where, Cause string
	Before, After       string
}

// fixes, in the order they were made.
var fixes = []fix{
	{
		Title:  "The connections page reads only what it lists",
		Where:  "store.ListConnectionSummaries (store/list_brief.go), web/connections.go",
		Cause:  "every row copied all 36 columns — the recorded CA PEM, the inline JWKS, the Console fields — that the page never shows",
		Before: "list: 51.6 ms CPU, 44.2 ms alone, 36 requests/s",
		After:  "list: 38.4 ms CPU, 33.5 ms alone, 46 requests/s",
	},
	{
		Title:  "Read queries through prepared statements, prepared once",
		Where:  "store/stmt.go (stmtCache), the store's read methods",
		Cause:  "database/sql re-prepares every query, and modernc's SQLite takes about 0.1 ms to parse one — as long as running it; the report page makes four",
		Before: "report: 1.73 ms CPU, 1.41 ms alone, 833 requests/s; detail: 4.50 ms CPU",
		After:  "report: 1.33 ms CPU, 1.05 ms alone, 1,158 requests/s; detail: 4.13 ms CPU",
	},
	{
		Title:  "Reads through a memory map of the database",
		Where:  "store.dsn (store/store.go): mmap_size 256 MiB",
		Cause:  "each pooled connection's 2 MB page cache is smaller than the 11 MB database; the list re-read its ~1,700 pages with pread on every request (a quarter of its CPU profile)",
		Before: "list: 38.2 ms CPU, 32.5 ms alone, 42 requests/s",
		After:  "list: 30.2 ms CPU, 25.4 ms alone, 80 requests/s",
	},
	{
		Title:  "The connection page lists its runs without their reports",
		Where:  "store.ListRunSummaries (store/runs_brief.go), web/history.go",
		Cause:  "the history read 50 reports of 6.5 KB each out of SQLite to show their one-line summaries",
		Before: "detail: 4.46 ms CPU, 3.37 ms alone, 478 requests/s",
		After:  "detail: 2.71 ms CPU, 2.16 ms alone, 731 requests/s",
	},
	{
		Title: "The connections page shows 50 connections a page",
		Where: "web/connections.go (connectionsPerPage), store.CountConnections and ListFilter.Limit/Offset",
		Cause: "the page rendered all 1,000 rows (336 KiB of HTML) on every request; half its CPU was SQLite reading the rows " +
			"with their newest runs, half the template — and nobody reads 1,000 rows: the search is there",
		Before: "`BenchmarkConnectionsPage` (1,000 connections): 18.3 ms/op",
		After:  "`BenchmarkConnectionsPage` (first page of 50): 1.27 ms/op",
	},
	{
		Title: "The connection page names its downloads without rendering them",
		Where: "workload.RefreshSetupName and the refresh setups' table (workload/refresh.go), web/history.go (exportLinks)",
		Cause: "each refresh setup's label and file name came from rendering all six setups, about 42 renders of " +
			"shell, systemd and Kubernetes text per page (18% of the page's CPU profile, found with -cpuprofile)",
		Before: "detail: 9.61 ms CPU (one round of `make bench`, not the two alternating rounds above)",
		After:  "detail: 3.43 ms CPU (one round, the same command with -only pages)",
	},
	{
		Title: "The redactor skips text that cannot hold an encoded secret or a token",
		Where: "redact.replaceEncoded (redact/encoded.go), redact.mayHoldToken (redact/redact.go)",
		Cause: "every string of every report was walked by the encoded-secret matcher, with a buffer the size of the " +
			"secret made per string, and run through the token regular expression whenever it held \"ey\" (every " +
			"\"key\"): 17% of an audit worker's CPU profile (found with -cpuprofile, which now profiles the audit workers)",
		Before: "audit of 1,000 (1 issuer): RS256 3.82 s CPU, ES256 3.57 s CPU (one round)",
		After:  "audit of 1,000 (1 issuer): RS256 2.94 s CPU, ES256 3.15 s CPU (one round)",
	},
}

// triedFixes were measured and not kept.
var triedFixes = []string{
	"Rendering each page into a buffer and writing it once (templ flushes its writer, and echo the connection, every 4 KB): " +
		"`BenchmarkConnectionsPage` 20.8 ms/op buffered against 20.6 ms/op streamed, with 1 MB more allocated per page. Reverted.",
	"A lock in front of SQLite for the audit's 16 concurrent recorders, so that none waits in SQLite's busy handler: the time " +
		"to record a run stayed within its noise (2.1–3.5 ms either way) and the audit's wall time with it. Not kept.",
	"A covering index for each connection's newest run: with the columns narrowed, the join costs about 4 ms of the list's " +
		"SQL; not worth a migration.",
}

func renderFixes(p printer, _ *results) {
	p("## Fixes")
	p("")
	p("What the figures showed slow, and what changed. Measured by this harness (`-only pages -duration 3s -capacity=false`)")
	p("on the tree with the fixes taken out and put back one at a time — each row adds its fix to those above — two rounds")
	p("back to back in opposite orders, averaged, at a load average of about 1.5. *CPU*: the harness's, server and client,")
	p("per request with one client; *alone*: p50 with one client; requests/s with 32 clients.")
	p("")
	p("| fix | where | cause | before | after |")
	p("|---|---|---|---|---|")
	for _, f := range fixes {
		p("| %s | %s | %s | %s | %s |", f.Title, f.Where, f.Cause, f.Before, f.After)
	}
	p("")
	p("The first four together: the list from 51.6 to 27.0 ms CPU per request and from 36 to 72 requests/s; the connection page")
	p("from 5.09 to 2.71 ms and from 407 to 731 requests/s; the report page from 1.62 to 1.34 ms and from 911 to 1,167.")
	p("")
	p("Tried and not kept:")
	p("")
	for _, t := range triedFixes {
		p("- %s", t)
	}
	p("")
}
