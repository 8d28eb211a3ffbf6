package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

func TestListPageEmptyState(t *testing.T) {
	a := newApp(t)
	p := a.get("/")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	if !strings.Contains(p.text(`[data-testid="empty-state"]`), "Start the wizard") {
		t.Fatalf("empty state missing: %s", p.body)
	}
	if p.doc.Find(`a[href="/connections/new"]`).Length() == 0 {
		t.Fatal("no link to the wizard")
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newApp(t)
	p := a.get("/")
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline: %q", csp)
	}
	if p.header.Get("X-Content-Type-Options") != "nosniff" || p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers = %v", p.header)
	}
	if p.doc.Find("script:not([src])").Length() != 0 {
		t.Error("page has an inline script")
	}
}

func TestStaticFilesCacheBusted(t *testing.T) {
	a := newApp(t)
	href, _ := a.get("/").doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !strings.Contains(href, "?v=") {
		t.Fatalf("stylesheet URL not versioned: %q", href)
	}
	p := a.get(href)
	if p.status != http.StatusOK || !strings.Contains(p.body, "--accent") || !strings.Contains(p.header.Get("Cache-Control"), "immutable") {
		t.Fatalf("stylesheet: %d %q", p.status, p.header.Get("Cache-Control"))
	}
	if a.get("/static/embed.go").status != http.StatusNotFound {
		t.Fatal("source file served")
	}
}

func TestCSRF(t *testing.T) {
	a := newApp(t)
	t.Run("ErrMissingToken", func(t *testing.T) {
		a.get("/connections/new")
		p := a.post("/connections", url.Values{"name": {"no-token"}}, "")
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "Reload the page") {
			t.Fatalf("POST without CSRF: %d %s", p.status, p.body)
		}
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		a.get("/connections/new")
		if p := a.post("/connections", url.Values{"name": {"x"}}, "forged"); p.status != http.StatusForbidden {
			t.Fatalf("POST with forged CSRF: %d", p.status)
		}
	})
	t.Run("OK", func(t *testing.T) {
		tok := a.csrf("/connections/new")
		p := a.post("/connections", url.Values{"name": {"nightly-batch"}}, tok)
		if p.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", p.status, p.body)
		}
		wizard := a.get(p.header.Get("Location"))
		if !strings.HasSuffix(p.header.Get("Location"), "/wizard/1") || wizard.doc.Find(`input[name="name"]`).AttrOr("value", "") != "nightly-batch" {
			t.Fatalf("a new draft opens at the wizard's first step: %s", wizard.body)
		}
		show := a.get(strings.TrimSuffix(p.header.Get("Location"), "/wizard/1"))
		if !strings.Contains(show.text(`[data-testid="events"]`), "created") {
			t.Fatal("timeline lacks the created event")
		}
		list := a.get("/")
		if list.doc.Find(`[data-testid="connection-row"]`).Length() != 1 || !strings.Contains(list.text(`[data-testid="connections"]`), "draft") {
			t.Fatalf("list after create: %s", list.body)
		}
	})
}

func TestCreateConnectionBadInput(t *testing.T) {
	a := newApp(t)
	tok := a.csrf("/connections/new")
	a.post("/connections", url.Values{"name": {"taken"}}, tok)
	long := strings.Repeat("n", 101)
	tests := []struct {
		name, input, want string
	}{
		{"ErrEmpty", "   ", "Name is required"},
		{"ErrTooLong", long, "101 characters long — shorten it to at most 100"},
		{"ErrTaken", "TAKEN", `"TAKEN" already exists`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := a.post("/connections", url.Values{"name": {tt.input}}, tok)
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", p.status)
			}
			if msg := p.text(`[data-testid="error-name"]`); !strings.Contains(msg, tt.want) {
				t.Fatalf("message next to the field = %q, want %q", msg, tt.want)
			}
			if v, _ := p.doc.Find(`input[name="name"]`).Attr("value"); v != strings.TrimSpace(tt.input) {
				t.Fatalf("typed value lost: %q", v)
			}
			if inv, _ := p.doc.Find(`input[name="name"]`).Attr("aria-invalid"); inv != "true" {
				t.Fatal("field not marked aria-invalid")
			}
		})
	}
}

func TestNotFoundPage(t *testing.T) {
	a := newApp(t)
	for _, path := range []string{"/no/such/page", "/connections/999", "/connections/abc"} {
		p := a.get(path)
		if p.status != http.StatusNotFound {
			t.Fatalf("%s: status %d", path, p.status)
		}
		if p.doc.Find("header.site").Length() == 0 || p.text(`[data-testid="error-message"]`) == "" {
			t.Fatalf("%s: not the templ error page: %s", path, p.body)
		}
	}
}

func TestAccessToken(t *testing.T) {
	a := newApp(t, func(c *setup) { c.web.AccessToken = "s3cret-access" })
	t.Run("ErrWithout", func(t *testing.T) {
		for _, path := range []string{"/", "/healthz", "/connections/new", "/static/app.css"} {
			if p := a.get(path); p.status != http.StatusUnauthorized {
				t.Fatalf("%s without token: %d", path, p.status)
			}
		}
		if p := a.get("/?token=wrong"); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", p.status)
		}
	})
	t.Run("OK", func(t *testing.T) {
		p := a.get("/?token=s3cret-access")
		if p.status != http.StatusSeeOther || strings.Contains(p.header.Get("Location"), "token") {
			t.Fatalf("token exchange: %d, Location %q", p.status, p.header.Get("Location"))
		}
		if !strings.Contains(p.header.Get("Set-Cookie"), "HttpOnly") {
			t.Fatalf("cookie not HttpOnly: %q", p.header.Get("Set-Cookie"))
		}
		if p := a.get("/"); p.status != http.StatusOK {
			t.Fatalf("with cookie: %d", p.status)
		}
	})
	if strings.Contains(a.logs.String(), "s3cret-access") {
		t.Fatal("access token logged")
	}
}

func TestHealth(t *testing.T) {
	a := newApp(t)
	p := a.get("/healthz")
	if p.status != http.StatusOK || !strings.Contains(p.body, `"status":"ok"`) {
		t.Fatalf("health: %d %s", p.status, p.body)
	}
}

func TestConnectionsListPages(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	for i := range 120 {
		name := fmt.Sprintf("conn-%03d", i)
		if i%2 == 1 {
			name = fmt.Sprintf("other-%03d", i)
		}
		if err := a.db.CreateConnection(ctx, &wif.Connection{Name: name}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	first := a.get("/")
	if n := first.doc.Find(`[data-testid="connection-row"]`).Length(); n != 50 {
		t.Fatalf("page 1 has %d rows", n)
	}
	if !strings.Contains(first.text(`[data-testid="pager"]`), "1–50 of 120") {
		t.Fatalf("pager = %q", first.text(`[data-testid="pager"]`))
	}
	next, _ := first.doc.Find(`[data-testid="pager"] a[rel="next"]`).Attr("href")
	if next != "/?page=2" {
		t.Fatalf("next = %q", next)
	}
	last := a.get("/?page=99")
	if n := last.doc.Find(`[data-testid="connection-row"]`).Length(); n != 20 || !strings.Contains(last.text(`[data-testid="pager"]`), "101–120 of 120") {
		t.Fatalf("last page: %d rows, pager %q", n, last.text(`[data-testid="pager"]`))
	}
	search := a.get("/?q=conn-&page=2")
	if !strings.Contains(search.text(`[data-testid="pager"]`), "51–60 of 60") {
		t.Fatalf("search pager = %q", search.text(`[data-testid="pager"]`))
	}
	prev, _ := search.doc.Find(`[data-testid="pager"] a[rel="prev"]`).Attr("href")
	if prev != "/?q=conn-" {
		t.Fatalf("prev keeps the query? %q", prev)
	}
}
