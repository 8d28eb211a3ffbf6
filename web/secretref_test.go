package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/wif"
)

// The server resolves a secret reference with its own rights and sends the result to a URL the
// web user chose: a web user may only name what the operator allowed (docs/security.md).
func TestSecretReferencesLimitedToWhatTheOperatorAllowed(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "batch")
	d, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	secret := d.Getenv(func(string) string { return "" })(demo.SecretEnv)
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("not-for-the-web"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME_SECRET": "from-the-server-environment", "WIFWIZ_SECRET_OK": secret}
	a := newApp(t, func(c *setup) {
		c.web.Demo = d
		c.env = d.Getenv(func(k string) string { return env[k] })
		c.runner = &probe.Runner{ExtraCA: d.CAPEM()}
		c.svc.Policy = wif.SecretPolicy{Dir: dir, EnvPrefix: wif.DefaultSecretEnvPrefix}
	})
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	a.submit(base+"2", nil)

	refused := []string{"file:/etc/passwd", "file:/proc/self/environ", "file:" + outside, "file:" + dir + "/../" + filepath.Base(filepath.Dir(outside)) + "/outside",
		"file:" + dir, "env:HOME_SECRET", "env:PATH", "env:WIFWIZ_SECRET_"}
	messages := map[string]bool{}
	for _, ref := range refused {
		t.Run("Refused/"+ref, func(t *testing.T) {
			d.Authentik.ResetCounts()
			p := a.submit(base+"3", url.Values{"secret_ref": {ref}})
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.status)
			}
			msg := p.text(`[data-testid="error-secret_ref"]`)
			if !strings.Contains(msg, "env:WIFWIZ_SECRET_") || strings.Contains(msg, "no such file") || strings.Contains(msg, "is a directory") {
				t.Fatalf("message = %q; want the allowed places, and nothing about the server's files", msg)
			}
			messages[msg] = true
			if n := d.Authentik.Counts()["token"]; n != 0 {
				t.Fatalf("%d token requests were sent with a refused reference", n)
			}
			stored, _ := a.db.GetConnection(context.Background(), connID(t, base))
			if stored.SecretRef == ref {
				t.Fatal("the refused reference was stored")
			}
		})
	}
	if len(messages) != 1 {
		t.Errorf("the refusals differ (%d messages): a web user could tell files apart by them", len(messages))
	}
	for _, ref := range []string{"env:WIFWIZ_SECRET_OK", "file:" + secretFile} {
		t.Run("Allowed/"+ref, func(t *testing.T) {
			p := a.submit(base+"3", url.Values{"secret_ref": {ref}})
			if p.status != http.StatusSeeOther {
				t.Fatalf("status %d: %s", p.status, p.text(`[data-testid="error-secret_ref"]`))
			}
			if got := a.get(base + "3"); got.doc.Find(`[data-testid="sample-result"]`).Length() == 0 && !strings.Contains(got.body, "sub") {
				t.Fatalf("no sample token shown after a run with %s", ref)
			}
		})
	}
}

func connID(t *testing.T, base string) int64 {
	t.Helper()
	var id int64
	for _, r := range strings.TrimSuffix(strings.TrimPrefix(base, "/connections/"), "/wizard/") {
		id = id*10 + int64(r-'0')
	}
	return id
}

// echoServer records every request body it receives on another origin than the issuer's.
type echoServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newEchoServer(t *testing.T) *echoServer {
	e := &echoServer{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.bodies = append(e.bodies, r.Header.Get("Authorization")+" "+string(b))
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"echo": "` + url.QueryEscape(string(b)) + `"}`))
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *echoServer) received() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.bodies, "\n")
}

// A reference is bound to the origin it was set for: pointing the token URL (or the issuer)
// elsewhere drops it, asks for the secret again, and the secret it pointed to goes nowhere.
func TestSecretReferenceBoundToItsOrigin(t *testing.T) {
	a, d := newDemoApp(t)
	secret := d.Getenv(func(string) string { return "" })(demo.SecretEnv)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	a.submit(base+"2", nil)
	if p := a.submit(base+"3", nil); p.status != http.StatusSeeOther {
		t.Fatalf("step 3 with the demo's reference: %d", p.status)
	}
	echo := newEchoServer(t)
	p := a.submit(base+"3", url.Values{"token_url": {echo.URL + "/token"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-client_secret"]`), "Enter the client secret") {
		t.Fatalf("after pointing the token URL elsewhere: status %d, %q; want the secret asked for again", p.status, p.text(`[data-testid="error-client_secret"]`))
	}
	stored, _ := a.db.GetConnection(context.Background(), connID(t, base))
	if stored.SecretRef != "" || stored.TokenURL != echo.URL+"/token" {
		t.Fatalf("stored: secret_ref %q, token_url %q; want the reference dropped with the new token URL", stored.SecretRef, stored.TokenURL)
	}
	events, _ := a.db.ListEvents(context.Background(), stored.ID)
	if !strings.Contains(events[0].Detail, "secret reference dropped") {
		t.Errorf("newest event = %+v, want the dropped reference named", events[0])
	}
	// Restoring the reference on the new origin is a new choice, checked against the policy; the
	// demo's variable is allowed, so it binds to the echo server's origin only when asked anew.
	if got := echo.received(); strings.Contains(got, secret) {
		t.Fatalf("the secret reached another origin: %q", got)
	}
	verify := a.post(strings.TrimSuffix(base, "/wizard/")+"/verify", url.Values{}, a.csrf(base+"1"))
	if verify.status != http.StatusUnprocessableEntity || strings.Contains(echo.received(), secret) {
		t.Fatalf("Verify now without a reference: status %d, echo got %q", verify.status, echo.received())
	}
}
