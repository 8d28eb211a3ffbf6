package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// TestEveryWizardFieldRefusesBadText submits, field by field on every step with a form, a value
// too long, a value that is not UTF-8 and one with an escape sequence: each is a 422 naming the
// field, and the stored connection does not change.
func TestEveryWizardFieldRefusesBadText(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	id, _ := strconv.ParseInt(strings.Split(base, "/")[2], 10, 64)
	bad := map[string]string{
		"oversized": strings.Repeat("x", 200<<10),
		"nonUTF8":   "\xff\xfe",
		"escape":    "a\x1b[31mb",
		"bidi":      "a\u202eb",
	}
	checked := 0
	for step := 1; step <= 4; step++ {
		path := base + strconv.Itoa(step)
		var fields []string
		hidden := map[string]bool{} // carried by the form (e.g. an ID a Console read filled in), not typed
		a.get(path).doc.Find(`form[action="` + path + `"] [name]`).Each(func(_ int, s *goquery.Selection) {
			name, _ := s.Attr("name")
			typ, _ := s.Attr("type")
			if name == "_csrf" || name == "version" || name == "client_secret" || typ == "radio" || typ == "submit" || goquery.NodeName(s) == "select" || goquery.NodeName(s) == "button" {
				return
			}
			hidden[name] = typ == "hidden"
			fields = append(fields, name)
		})
		if len(fields) == 0 {
			t.Fatalf("step %d: no text fields found", step)
		}
		if p := a.submit(path, url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("step %d as it is: status %d, want a save", step, p.status)
		}
		for _, field := range fields {
			for kind, v := range bad {
				before, err := a.db.GetConnection(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				change := url.Values{field: {v}}
				if field == "inline_jwks" {
					change.Set("jwks_source", "inline") // else the field is dropped, not stored
				}
				p := a.submit(path, change)
				if p.status != http.StatusUnprocessableEntity {
					t.Errorf("step %d %s=%s: status %d", step, field, kind, p.status)
					continue
				}
				msg := p.text(`[data-testid="error-` + field + `"]`)
				if hidden[field] {
					msg = p.text(`[data-testid="form-errors"]`) // no field to show it at: the summary says it
				}
				if msg == "" {
					t.Errorf("step %d %s=%s: no message at the field", step, field, kind)
				}
				after, _ := a.db.GetConnection(context.Background(), id)
				if after.Version != before.Version {
					t.Errorf("step %d %s=%s: the refused step was stored", step, field, kind)
				}
				checked++
			}
		}
	}
	// The first page's name: %FF%FE and a megabyte are refused, nothing is created.
	tok := a.csrf("/connections/new")
	for kind, v := range map[string]string{"nonUTF8": "\xff\xfe", "oversized": strings.Repeat("n", 512<<10)} {
		if p := a.post("/connections", url.Values{"name": {v}}, tok); p.status != http.StatusUnprocessableEntity {
			t.Errorf("new connection name %s: status %d", kind, p.status)
		}
	}
	if checked < 40 {
		t.Fatalf("only %d field checks ran", checked)
	}
}

// TestTokenLookingClaimsHiddenOnEveryPage: a claim holding a signed token or an Anthropic key (an
// issuer may nest one) is shown on no page, as the Markdown export hides it.
func TestTokenLookingClaimsHiddenOnEveryPage(t *testing.T) {
	h := newHistoryApp(t, true)
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJuZXN0ZWQifQ.c2lnbmF0dXJlLWJ5dGVz"
	const key = "sk-ant-api03-NestedKeyValue0123456789"
	rep := verify.Report{Issuer: h.conn.IssuerURL, OK: true, Token: &verify.Token{Field: "id_token", SHA256: strings.Repeat("a", 64),
		Header: map[string]any{"alg": "RS256", "x5u": jwt},
		Claims: map[string]any{"sub": "ak", "act": map[string]any{"token": jwt}, "api_key": key, jwt: "as a name"}}}
	body, _ := json.Marshal(rep)
	run := &wif.Run{ConnectionID: h.conn.ID, At: time.Now(), Trigger: wif.TriggerManual, OK: true, Summary: "1 pass", ReportJSON: body}
	if err := h.db.AddRun(context.Background(), run, "test"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{h.path("/runs/" + itoa(run.ID)), h.path("/wizard/3"), h.path("/wizard/5"), h.path(""), h.path("/handoff")} {
		pg := h.get(p)
		if pg.status != http.StatusOK {
			t.Fatalf("%s: %d", p, pg.status)
		}
		if strings.Contains(pg.body, "eyJhbGci") || strings.Contains(pg.body, "NestedKeyValue") {
			t.Errorf("%s shows a token-looking claim", p)
		}
	}
	if pg := h.get(h.path("/runs/" + itoa(run.ID))); !strings.Contains(pg.body, "redacted: looks like a token") {
		t.Error("the run page does not say the claim was hidden")
	}
}

// TestCAFieldAcceptsOnlyCertificates: a private key pasted with the CA, or anything after the last
// certificate, is refused at the field and never stored (nor published on a page).
func TestCAFieldAcceptsOnlyCertificates(t *testing.T) {
	a, d := newDemoApp(t)
	base := startDemoConnection(t, a)
	const key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBcmD0EzBquBuhR8XRsbXSIZQ0JKKYwNQDAjeMdMidZX\n-----END PRIVATE KEY-----\n"
	ca := string(d.CAPEM())
	for name, tc := range map[string]struct {
		value  string
		status int
		msg    string
	}{
		"private key":   {ca + key, http.StatusUnprocessableEntity, "never a private key"},
		"key alone":     {key, http.StatusUnprocessableEntity, "never a private key"},
		"trailing junk": {ca + strings.Repeat("junk ", 100<<10), http.StatusUnprocessableEntity, "text after certificate"},
		"megabytes":     {ca + strings.Repeat("junk ", 1<<20), http.StatusRequestEntityTooLarge, "larger than"},
	} {
		p := a.submit(base+"2", url.Values{"ca_pem": {tc.value}})
		if p.status != tc.status || !strings.Contains(p.text("main"), tc.msg) {
			t.Errorf("%s: %d %.300s", name, p.status, p.text("main"))
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		if b, _ := os.ReadFile(a.dbPath + suffix); strings.Contains(string(b), "PRIVATE KEY") || strings.Contains(string(b), "junk junk") {
			t.Fatalf("the refused CA field reached the database (%s)", suffix)
		}
	}
	if strings.Contains(a.get(strings.TrimSuffix(base, "/wizard/")+"/handoff").body, "PRIVATE KEY") {
		t.Fatal("the key is on the hand-off page")
	}
}
