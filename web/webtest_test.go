package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/web"
)

// app is a real wifwiz server on a random loopback port, with a real SQLite file and a browser-like client.
type app struct {
	t      testing.TB
	srv    *httptest.Server
	db     *store.DB
	dbPath string
	client *http.Client
	logs   *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// setup is what a test changes of the server: the web config and the wiring of the use cases.
type setup struct {
	web    web.Config
	runner *probe.Runner
	env    func(string) string // the environment secret references resolve in
	svc    testenv.ServiceOptions
	// started, when set, is called with the service before the server starts.
	started func(*actions.Service)
	// signIn, when set, wires sign-in once the server's address (baseURL) is known.
	signIn func(db *store.DB, baseURL string) *actions.SignIn
	// loopbackHosts answers only the Host values of a loopback listener, as serve does.
	loopbackHosts bool
	tls           bool // serve HTTPS (the client trusts the test server's certificate)
}

func newApp(t testing.TB, mutate ...func(*setup)) *app {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wifwiz.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	st := setup{web: web.Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), Version: "test"}, runner: &probe.Runner{}}
	for _, m := range mutate {
		m(&st)
	}
	st.svc.Getenv = st.env
	st.svc.DemoRunning = st.web.Demo != nil
	st.web.App = testenv.Service(t, db, st.runner, st.svc)
	if st.started != nil {
		st.started(st.web.App)
	}
	srv := httptest.NewUnstartedServer(nil)
	scheme := "http://"
	if st.tls {
		scheme = "https://"
	}
	if st.signIn != nil {
		st.web.SignIn = st.signIn(db, scheme+srv.Listener.Addr().String())
	}
	if st.loopbackHosts {
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		st.web.Hosts = web.LoopbackHosts(port, st.tls)
	}
	srv.Config.Handler = web.New(st.web)
	client := &http.Client{}
	if st.tls {
		srv.StartTLS()
		client = srv.Client()
	} else {
		srv.Start()
	}
	client.Jar, _ = cookiejar.New(nil)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	a := &app{t: t, srv: srv, db: db, dbPath: path, logs: logs, client: client}
	t.Cleanup(func() { srv.Close(); db.Close() })
	return a
}

type page struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

func (a *app) do(req *http.Request) page {
	a.t.Helper()
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
	return page{status: resp.StatusCode, header: resp.Header, body: string(b), doc: doc}
}

func (a *app) get(path string) page {
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	return a.do(req)
}

// post submits a form the way a browser without JavaScript does, with the CSRF token of the last page.
func (a *app) post(path string, form url.Values, csrf string) page {
	a.t.Helper()
	if csrf != "" {
		form.Set("_csrf", csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return a.do(req)
}

// csrf loads path and returns the CSRF token of its first form.
func (a *app) csrf(path string) string {
	a.t.Helper()
	p := a.get(path)
	tok, ok := p.doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if !ok || tok == "" {
		a.t.Fatalf("no CSRF field on %s", path)
	}
	return tok
}

// follow loads the page a 303 redirects to, as a browser does; any other page is returned as is.
func (a *app) follow(p page) page {
	a.t.Helper()
	if p.status != http.StatusSeeOther {
		return p
	}
	return a.get(p.header.Get("Location"))
}

func (p page) text(sel string) string { return strings.TrimSpace(p.doc.Find(sel).Text()) }
