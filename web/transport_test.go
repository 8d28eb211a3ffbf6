package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/web"
	"github.com/wifwiz/wifwiz/wif"
)

func TestLoopbackAnswersOnlyItsOwnHosts(t *testing.T) {
	a := newApp(t, func(s *setup) { s.loopbackHosts = true })
	_, port, _ := strings.Cut(strings.TrimPrefix(a.srv.URL, "http://"), ":")
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port} {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/", nil)
		req.Host = host
		if p := a.do(req); p.status != http.StatusOK {
			t.Errorf("Host %s: %d", host, p.status)
		}
	}
	// DNS rebinding: a name the attacker controls now resolves to 127.0.0.1.
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1", "localhost:1", "127.0.0.2:" + port} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req, _ := http.NewRequest(method, a.srv.URL+"/connections", strings.NewReader("name=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Host = host
			p := a.do(req)
			if p.status != http.StatusForbidden || !strings.Contains(p.text("main"), "wifwiz answers only at 127.0.0.1:"+port) {
				t.Errorf("%s with Host %s: %d %s", method, host, p.status, p.text("main"))
			}
		}
	}
	if n, _ := a.db.CountConnections(context.Background(), wif.ListFilter{}); n != 0 {
		t.Fatalf("a forged Host created %d connections", n)
	}
}

func TestCrossOriginPostsRefused(t *testing.T) {
	a := newApp(t)
	tok := a.csrf("/connections/new")
	for name, hdr := range map[string][2]string{
		"origin":          {"Origin", "https://evil.example"},
		"sec-fetch-site":  {"Sec-Fetch-Site", "cross-site"},
		"same-site-other": {"Sec-Fetch-Site", "same-site"},
	} {
		form := url.Values{"name": {"from-" + name}, "_csrf": {tok}}
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/connections", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(hdr[0], hdr[1])
		p := a.do(req)
		if p.status != http.StatusForbidden || !strings.Contains(p.text("main"), "a page of another site sent it") {
			t.Errorf("%s: %d %s", name, p.status, p.text("main"))
		}
	}
	// The same form from wifwiz's own pages goes through.
	form := url.Values{"name": {"same-origin"}, "_csrf": {tok}}
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/connections", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if p := a.do(req); p.status != http.StatusSeeOther {
		t.Fatalf("same-origin post: %d %s", p.status, p.text("main"))
	}
	if n, _ := a.db.CountConnections(context.Background(), wif.ListFilter{}); n != 1 {
		t.Fatalf("%d connections, want only the same-origin one", n)
	}
}

func TestLargeBodyIs413(t *testing.T) {
	a := newApp(t)
	tok := a.csrf("/connections/new")
	form := url.Values{"name": {strings.Repeat("x", web.MaxRequestBytes)}, "_csrf": {tok}}
	p := a.post("/connections", form, "")
	if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.text("main"), "larger than 1024 KiB") {
		t.Fatalf("%d %s", p.status, p.text("main"))
	}
	// Without a Content-Length the limit holds while reading.
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/connections", &unsized{strings.NewReader(form.Encode())})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p := a.do(req); p.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: %d %s", p.status, p.text("main"))
	}
}

// unsized hides the length of a body, so that the request is sent chunked.
type unsized struct{ r *strings.Reader }

func (u *unsized) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestTokenRedirectStaysOnSite(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	a := newApp(t, func(s *setup) { s.web.AccessToken = token })
	for path, want := range map[string]string{
		"//evil.example/":      "/evil.example",
		"/\\evil.example/x":    "/evil.example/x",
		"///evil.example":      "/evil.example",
		"/connections/new":     "/connections/new",
		"/audit?x=1":           "/audit?x=1",
		"/a/../../evil":        "/evil",
		"/%2F%2Fevil.example/": "/evil.example",
	} {
		u := a.srv.URL + path
		if strings.Contains(path, "?") {
			u += "&token=" + token
		} else {
			u += "?token=" + token
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		// A client without the cookie jar: each request must come with the token.
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		p := page{status: resp.StatusCode, header: resp.Header}
		if loc := p.header.Get("Location"); p.status != http.StatusSeeOther || loc != want {
			t.Errorf("%s: %d → %q, want %q", path, p.status, loc, want)
		}
	}
}

func TestCookiesSecureOverTLS(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	a := newApp(t, func(s *setup) { s.tls, s.web.AccessToken, s.web.SecureCookies = true, token, true })
	p := a.get("/?token=" + token)
	secure := map[string]bool{}
	for _, c := range p.header.Values("Set-Cookie") {
		name, _, _ := strings.Cut(c, "=")
		secure[name] = strings.Contains(c, "; Secure")
	}
	p = a.get("/")
	for _, c := range p.header.Values("Set-Cookie") {
		name, _, _ := strings.Cut(c, "=")
		secure[name] = strings.Contains(c, "; Secure")
	}
	if !secure["wifwiz_access"] || !secure["wifwiz_csrf"] || len(secure) != 2 {
		t.Fatalf("cookies: %v", secure)
	}
}

func TestBusyJobsAnswerAClearPage(t *testing.T) {
	jobs := actions.NewJobs(actions.JobLimits{MaxRunning: 1})
	a, _ := newDemoAppWith(t, func(s *setup) { s.svc.Jobs = jobs })
	base := startDemoConnection(t, a)
	release := make(chan struct{})
	if err := jobs.Go("blocker", func(ctx context.Context) { <-release }); err != nil {
		t.Fatal(err)
	}
	defer close(release)
	p := a.post("/audit", url.Values{}, a.csrf("/audit"))
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.text("main"), "already running 1 background jobs") {
		t.Fatalf("audit: %d %s", p.status, p.text("main"))
	}
	page := a.get(base + "3")
	form := url.Values{"version": {page.doc.Find(`input[name="version"]`).AttrOr("value", "")}, "secret_ref": {"env:" + demo.SecretEnv}}
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+base+"3/jobs", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", page.doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	p = a.do(req)
	if p.status != http.StatusOK || !strings.Contains(p.body, "already running 1 background jobs") {
		t.Fatalf("sample job: %d %s", p.status, p.body)
	}
}
