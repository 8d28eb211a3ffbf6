package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/web"
	"github.com/wifwiz/wifwiz/wif"
)

// storeDetail is what a failing database says: internal, so it belongs in the log and never on
// a page.
const storeDetail = "disk I/O error reading /var/lib/wifwiz/wifwiz.db page 7731 (internal-detail-5f2c)"

// brokenStore is a working store but for one method, which returns an error naming storeDetail,
// or panics with it.
type brokenStore struct {
	actions.Store
	broken string
	panics bool
}

func (b *brokenStore) fail(method string) error {
	if method != b.broken {
		return nil
	}
	if b.panics {
		panic(method + " exploded: " + storeDetail)
	}
	return fmt.Errorf("%s: %s", method, storeDetail)
}

func (b *brokenStore) CountConnections(ctx context.Context, f wif.ListFilter) (int, error) {
	if err := b.fail("CountConnections"); err != nil {
		return 0, err
	}
	return b.Store.CountConnections(ctx, f)
}

func (b *brokenStore) GetConnection(ctx context.Context, id int64) (*wif.Connection, error) {
	if err := b.fail("GetConnection"); err != nil {
		return nil, err
	}
	return b.Store.GetConnection(ctx, id)
}

func (b *brokenStore) CreateConnection(ctx context.Context, c *wif.Connection, actor string) error {
	if err := b.fail("CreateConnection"); err != nil {
		return err
	}
	return b.Store.CreateConnection(ctx, c, actor)
}

func (b *brokenStore) UpdateConnection(ctx context.Context, c *wif.Connection, actor string) error {
	if err := b.fail("UpdateConnection"); err != nil {
		return err
	}
	return b.Store.UpdateConnection(ctx, c, actor)
}

func (b *brokenStore) ListRunSummaries(ctx context.Context, id int64, limit int) ([]wif.Run, error) {
	if err := b.fail("ListRunSummaries"); err != nil {
		return nil, err
	}
	return b.Store.ListRunSummaries(ctx, id, limit)
}

func (b *brokenStore) ListEvents(ctx context.Context, id int64) ([]wif.Event, error) {
	if err := b.fail("ListEvents"); err != nil {
		return nil, err
	}
	return b.Store.ListEvents(ctx, id)
}

func (b *brokenStore) LatestAuditJob(ctx context.Context) (*wif.AuditJob, error) {
	if err := b.fail("LatestAuditJob"); err != nil {
		return nil, err
	}
	return b.Store.LatestAuditJob(ctx)
}

// newBrokenApp serves wifwiz over a real SQLite file whose store breaks as b says, wired as
// cmd/wifwiz wires it: through actions.New into web.New. The connection "seeded" exists.
func newBrokenApp(t *testing.T, b *brokenStore) (*app, *wif.Connection) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wifwiz.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	seeded := &wif.Connection{Name: "seeded", IssuerURL: "https://auth.example.com/application/o/seeded/"}
	if err := db.CreateConnection(context.Background(), seeded, "test"); err != nil {
		t.Fatal(err)
	}
	b.Store = db
	runner := &probe.Runner{}
	jobs := actions.NewJobs(actions.JobLimits{})
	svc := actions.New(actions.Deps{Store: b, Verifier: runner, Tokens: runner, Jobs: jobs})
	logs := &syncBuffer{}
	srv := httptest.NewServer(web.New(web.Config{App: svc, Logger: slog.New(slog.NewTextHandler(logs, nil)), Version: "test"}))
	jar, _ := cookiejar.New(nil)
	a := &app{t: t, srv: srv, db: db, dbPath: path, logs: logs,
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Cleanup(func() {
		srv.Close()
		_ = jobs.Shutdown(context.Background())
		db.Close()
	})
	return a, seeded
}

// failingRequests are pages whose handler reaches the broken method.
var failingRequests = []struct {
	name   string
	broken string
	do     func(a *app, seeded *wif.Connection) page
}{
	{"ListCountFails", "CountConnections", func(a *app, _ *wif.Connection) page { return a.get("/") }},
	{"ShowReadFails", "GetConnection", func(a *app, c *wif.Connection) page { return a.get(fmt.Sprintf("/connections/%d", c.ID)) }},
	{"ShowRunsFail", "ListRunSummaries", func(a *app, c *wif.Connection) page { return a.get(fmt.Sprintf("/connections/%d", c.ID)) }},
	{"ShowEventsFail", "ListEvents", func(a *app, c *wif.Connection) page { return a.get(fmt.Sprintf("/connections/%d", c.ID)) }},
	{"AuditPageFails", "LatestAuditJob", func(a *app, _ *wif.Connection) page { return a.get("/audit") }},
	{"CreateFails", "CreateConnection", func(a *app, _ *wif.Connection) page {
		return a.post("/connections", url.Values{"name": {"new-one"}}, a.csrf("/connections/new"))
	}},
	{"WizardSaveFails", "UpdateConnection", func(a *app, c *wif.Connection) page {
		path := fmt.Sprintf("/connections/%d/wizard/1", c.ID)
		form := a.get(path).doc.Find("form")
		version, _ := form.Find(`input[name="version"]`).Attr("value")
		csrf, _ := form.Find(`input[name="_csrf"]`).Attr("value")
		return a.post(path, url.Values{"version": {version}, "name": {"seeded"}, "authentik_url": {"https://auth.example.com"},
			"app_slug": {"seeded"}, "provider_name": {"seeded"}, "issuer_mode": {"per_provider"}}, csrf)
	}},
}

// assertInternalErrorPage: a 500 page that says "Internal error." and nothing of the cause.
func assertInternalErrorPage(t *testing.T, p page) {
	t.Helper()
	if p.status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500\n%s", p.status, p.body)
	}
	if msg := p.text(`[data-testid="error-message"]`); msg != "Internal error." {
		t.Errorf("error message %q, want %q", msg, "Internal error.")
	}
	for _, leak := range []string{"internal-detail-5f2c", "disk I/O", "/var/lib/wifwiz", "exploded", "goroutine"} {
		if strings.Contains(p.body, leak) {
			t.Errorf("the page shows the internal detail %q", leak)
		}
	}
}

func TestFailingStoreShowsInternalErrorPage(t *testing.T) {
	for _, tc := range failingRequests {
		t.Run(tc.name, func(t *testing.T) {
			a, seeded := newBrokenApp(t, &brokenStore{broken: tc.broken})
			p := tc.do(a, seeded)
			assertInternalErrorPage(t, p)
			logs := a.logs.String()
			if !strings.Contains(logs, "internal error") || !strings.Contains(logs, tc.broken+": "+storeDetail) {
				t.Errorf("the log does not record the store's error:\n%s", logs)
			}
		})
	}
}

func TestStorePanicRecoveredAndLoggedWithStack(t *testing.T) {
	for _, tc := range failingRequests {
		t.Run(tc.name, func(t *testing.T) {
			a, seeded := newBrokenApp(t, &brokenStore{broken: tc.broken, panics: true})
			p := tc.do(a, seeded)
			assertInternalErrorPage(t, p)
			logs := a.logs.String()
			if !strings.Contains(logs, "msg=panic") || !strings.Contains(logs, tc.broken+" exploded: "+storeDetail) {
				t.Errorf("the log does not record the panic:\n%s", logs)
			}
			// The stack names the goroutine and the function that panicked, with its file.
			for _, frame := range []string{"goroutine ", "brokenStore).fail", "failing_store_test.go:", "brokenStore)." + tc.broken} {
				if !strings.Contains(logs, frame) {
					t.Errorf("the logged stack lacks %q:\n%s", frame, logs)
				}
			}
			// The server goes on serving.
			if p := a.get("/healthz"); p.status != http.StatusOK {
				t.Errorf("after the panic /healthz answers %d", p.status)
			}
		})
	}
}
