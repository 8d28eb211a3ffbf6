package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/internal/hostile"
	"github.com/wifwiz/wifwiz/workload"
)

// hostileDeadline bounds every request of the wizard against a hostile issuer: the outbound
// timeouts must end each one well before it.
const hostileDeadline = 90 * time.Second

// hostileIssuerTimeout is wifwiz's bound on each request to the hostile issuer, shorter than
// the default so that the slow and endless answers end within seconds.
const hostileIssuerTimeout = 2 * time.Second

// TestHostileIssuerThroughTheWizard walks the wizard to a live check against every hostile mode,
// then loads every page and export of the connection: none answers 500, none shows or stores a
// form of the secret, the internal service's answer, a raw escape sequence or injected markup,
// and the run says the mode's message.
func TestHostileIssuerThroughTheWizard(t *testing.T) {
	for _, c := range hostile.Cases() {
		t.Run(string(c.Mode), func(t *testing.T) {
			t.Parallel()
			iss := hostile.Start(t, c.Mode)
			a := newApp(t, func(s *setup) { s.runner.Timeout = hostileIssuerTimeout })
			a.client.Timeout = hostileDeadline
			runPage := walkToLiveCheck(t, a, iss)
			if !strings.Contains(runPage.body, c.Report) && !strings.Contains(runPage.text("main"), c.Report) {
				t.Errorf("the run does not say %q:\n%s", c.Report, runPage.text("main"))
			}
			conn := connectionPathOf(t, a)
			pages := []string{"/", conn, conn + "/handoff", "/audit"}
			for step := 1; step <= 6; step++ {
				pages = append(pages, conn+"/wizard/"+string(rune('0'+step)))
			}
			pages = append(pages, runLinks(a.get(conn))...)
			for _, p := range pages {
				pg := a.get(p)
				assertHostilePage(t, iss, "GET "+p, pg)
			}
			// The connection page of an unfinished wizard offers no exports; a download asked for
			// all the same (any page's CSRF token) must still answer safely.
			csrf := a.csrf("/connections/new")
			for _, f := range workload.ExportFormats() {
				pg := a.post(conn+"/export", url.Values{"format": {f}}, csrf)
				assertHostilePage(t, iss, "export "+f, pg)
			}
			assertHostileStore(t, iss, a)
			if iss.Other.Hits.Load() != 0 {
				t.Errorf("the server on another origin got %d requests (secret sent: %v)", iss.Other.Hits.Load(), iss.Other.SecretSeen.Load())
			}
			if c.Streams {
				iss.WaitStreams() // returns once wifwiz stopped reading
			}
		})
	}
}

// walkToLiveCheck creates a connection to iss, fills steps 1 and 2, and runs step 3's live check
// with the secret typed and the issuer's CA pasted. It returns the run's page.
func walkToLiveCheck(t *testing.T, a *app, iss *hostile.Issuer) page {
	t.Helper()
	p := a.post("/connections", url.Values{"name": {"hostile"}}, a.csrf("/connections/new"))
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.text("main"))
	}
	base := strings.TrimSuffix(p.header.Get("Location"), "1")
	for step, form := range []url.Values{
		{"authentik_url": {iss.BaseURL}, "app_slug": {hostile.Slug}, "provider_name": {"Hostile"}},
		{"client_id": {hostile.ClientID}, "access_token_validity": {"hours=1"}, "ca_pem": {string(iss.CAPEM)}},
	} {
		if p := a.submit(base+string(rune('1'+step)), form); p.status != http.StatusSeeOther {
			t.Fatalf("step %d: %d %s", step+1, p.status, p.text("main"))
		}
	}
	p = a.submit(base+"3", url.Values{"client_secret": {iss.Secret}, "secret_ref": {""}})
	assertHostilePage(t, iss, "step 3", p)
	if p.status != http.StatusSeeOther {
		t.Fatalf("step 3: %d %s", p.status, p.text("main"))
	}
	conn := strings.TrimSuffix(base, "/wizard/")
	runs := runLinks(a.get(conn))
	if len(runs) != 1 {
		t.Fatalf("%d runs recorded", len(runs))
	}
	return a.get(runs[0])
}

var runLink = regexp.MustCompile(`href="(/connections/\d+/runs/\d+)"`)

func runLinks(p page) []string {
	var out []string
	for _, m := range runLink.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1])
	}
	return out
}

func connectionPathOf(t *testing.T, a *app) string {
	t.Helper()
	m := regexp.MustCompile(`href="(/connections/\d+)"`).FindStringSubmatch(a.get("/").body)
	if m == nil {
		t.Fatal("no connection listed")
	}
	return m[1]
}

func assertHostilePage(t *testing.T, iss *hostile.Issuer, what string, p page) {
	t.Helper()
	if p.status >= 500 {
		t.Errorf("%s answered %d: %s", what, p.status, p.text("main"))
	}
	// The page as sent, and as a reader sees it (character references decoded).
	text := p.body
	if p.doc != nil {
		text += p.doc.Text()
	}
	if found := iss.Unsafe(text); len(found) > 0 {
		t.Errorf("%s holds %v", what, found)
	}
	if strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
		if found := hostile.PageProblems(p.body); len(found) > 0 {
			t.Errorf("%s runs markup the issuer sent: %v", what, found)
		}
	}
}

// assertHostileStore reads the database files and the server's log as an attacker with the disk
// would.
func assertHostileStore(t *testing.T, iss *hostile.Issuer, a *app) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(a.dbPath + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if found := iss.Leaks(string(b)); len(found) > 0 {
			t.Errorf("database%s holds %v", suffix, found)
		}
	}
	for _, v := range storedText(t, a.dbPath) {
		if found := iss.Unsafe(v); len(found) > 0 {
			t.Errorf("a stored value holds %v: %.200q", found, v)
		}
	}
	if found := iss.Unsafe(a.logs.String()); len(found) > 0 {
		t.Errorf("the log holds %v", found)
	}
}

// TestHostileBodiesStayBounded: an endless or huge answer costs the server a bounded amount of
// memory. It runs alone (not in parallel), and measures everything the process allocates while
// the live check reads the hostile body: without the 1 MiB limit an endless body on loopback
// would be gigabytes within the 10 s timeout.
func TestHostileBodiesStayBounded(t *testing.T) {
	for _, mode := range []hostile.Mode{hostile.EndlessBody, hostile.HugeBody} {
		iss := hostile.Start(t, mode)
		a := newApp(t)
		a.client.Timeout = hostileDeadline
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		runPage := walkToLiveCheck(t, a, iss)
		runtime.ReadMemStats(&after)
		if !strings.Contains(runPage.text("main"), "response too large") {
			t.Errorf("%s: the run does not say the response was too large", mode)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 128<<20 {
			t.Errorf("%s: %d MiB allocated for one live check", mode, grown>>20)
		}
		iss.WaitStreams()
		_ = context.Background()
	}
}

// storedText is every text value of the runs, events and audit results, read back from SQLite.
func storedText(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	for _, q := range []string{`SELECT report_json || drift_json || summary FROM runs`, `SELECT detail FROM events`,
		`SELECT reason || summary || drift_json FROM audit_results`} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			// JSON escapes are what a reader of the value gets back.
			if unq, err := strconv.Unquote(`"` + strings.ReplaceAll(v, `"`, `\"`) + `"`); err == nil {
				v += unq
			}
			out = append(out, v)
		}
		rows.Close()
	}
	return out
}
