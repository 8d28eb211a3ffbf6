package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeDemoUnderAnotherSecretPrefix: with --secret-env-prefix set to the operator's own
// prefix, the demo's references (which the demo itself answers) stay usable: the demo
// connection's provider step offers to use its recorded authentik API token.
func TestServeDemoUnderAnotherSecretPrefix(t *testing.T) {
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	s, base := startServe(t, nil, `serving on (http://127\.0\.0\.1:\d+)/`, "--addr", "127.0.0.1:0", "--db", db,
		"--demo", "--secret-env-prefix", "ACME_")
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	_, page := getWith(t, client, base+"/connections/new")
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF field on the new-connection page")
	}
	req, err := http.NewRequest(http.MethodPost, base+"/connections/demo", strings.NewReader(url.Values{"_csrf": {m[1]}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wizard := strings.TrimSuffix(resp.Request.URL.String(), "1")
	if !strings.HasSuffix(wizard, "/wizard/") {
		t.Fatalf("the demo connection was not created: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if _, step2 := getWith(t, client, wizard+"2"); !strings.Contains(step2, "the recorded reference is used when left empty") {
		t.Error("the demo connection's authentik token reference is not usable under --secret-env-prefix ACME_")
	}
	s.stop(t)
}

// getWith fetches u with client and returns its status and body.
func getWith(t *testing.T, client *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b.String()
}
