package actions_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

const callbackURL = "http://127.0.0.1:9/auth/callback"

type signInFixture struct {
	emu     *emulator.Emulator
	db      *store.DB
	dbPath  string
	si      *actions.SignIn
	clock   *time.Time
	browser *http.Client
}

func newSignInFixture(t *testing.T) signInFixture {
	t.Helper()
	emu := testenv.Start(t)
	p := testenv.LoginProvider(t, emu, callbackURL)
	db, path := testenv.OpenStore(t)
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	si := testenv.SignIn(t, db, emu, p, callbackURL, func() time.Time { return clock })
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(emu.CAPEM())
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return signInFixture{emu: emu, db: db, dbPath: path, si: si, clock: &clock, browser: browser}
}

// signIn begins a sign-in as user, follows it through the emulator and returns the callback.
func (f signInFixture) begin(t *testing.T, user, next string) actions.Callback {
	t.Helper()
	if err := f.emu.SetAutoLogin(user); err != nil {
		t.Fatal(err)
	}
	st, err := f.si.Begin(context.Background(), next)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.browser.Get(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), callbackURL) {
		t.Fatalf("HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	return actions.Callback{Cookie: st.Cookie, State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"),
		ErrorDescription: q.Get("error_description")}
}

func TestSignInSession(t *testing.T) {
	ctx := context.Background()
	f := newSignInFixture(t)
	done, err := f.si.Finish(ctx, f.begin(t, testenv.Editor.Username, "/connections/7?tab=x"))
	if err != nil {
		t.Fatal(err)
	}
	if done.Role != wif.RoleEditor || done.Next != "/connections/7?tab=x" || done.Session.Person.Actor() != "Erin Editor <erin>" {
		t.Fatalf("signed in %+v", done)
	}
	v, err := f.si.Visit(ctx, done.Cookie)
	if err != nil || v.Status != actions.SessionActive || v.Role != wif.RoleEditor || v.Actor() != "Erin Editor <erin>" {
		t.Fatalf("visit %+v, %v", v, err)
	}

	// Only the cookie's hash is stored: the cookie is in neither the database nor its WAL.
	for _, p := range []string{f.dbPath, f.dbPath + "-wal"} {
		raw, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), done.Cookie) {
			t.Fatalf("%s holds the session cookie", p)
		}
	}

	t.Run("Idle", func(t *testing.T) {
		*f.clock = f.clock.Add(29 * time.Minute)
		if v, _ := f.si.Visit(ctx, done.Cookie); v.Status != actions.SessionActive {
			t.Fatalf("after 29 idle minutes: %+v", v)
		}
		*f.clock = f.clock.Add(30 * time.Minute)
		v, err := f.si.Visit(ctx, done.Cookie)
		if err != nil || v.Status != actions.SessionExpired || !strings.Contains(v.Reason, "unused for more than 30 minutes") {
			t.Fatalf("after 30 idle minutes: %+v, %v", v, err)
		}
		if v, _ := f.si.Visit(ctx, done.Cookie); v.Status != actions.SessionEnded {
			t.Fatalf("an expired session was not removed: %+v", v)
		}
	})

	t.Run("Absolute", func(t *testing.T) {
		done, err := f.si.Finish(ctx, f.begin(t, testenv.Viewer.Username, "/"))
		if err != nil || done.Role != wif.RoleViewer {
			t.Fatalf("viewer: %+v, %v", done, err)
		}
		for i := 0; i < 12*3-1; i++ { // active every 20 minutes for 11 h 40 min
			*f.clock = f.clock.Add(20 * time.Minute)
			if v, _ := f.si.Visit(ctx, done.Cookie); v.Status != actions.SessionActive {
				t.Fatalf("after %d visits: %+v", i+1, v)
			}
		}
		*f.clock = f.clock.Add(20 * time.Minute)
		if v, _ := f.si.Visit(ctx, done.Cookie); v.Status != actions.SessionExpired || !strings.Contains(v.Reason, "more than 12 hours old") {
			t.Fatalf("after 12 hours: %+v", v)
		}
	})

	t.Run("SignOut", func(t *testing.T) {
		done, err := f.si.Finish(ctx, f.begin(t, testenv.Editor.Username, "/"))
		if err != nil {
			t.Fatal(err)
		}
		end, err := f.si.SignOut(ctx, done.Cookie)
		if err != nil || !strings.Contains(end, "/application/o/"+testenv.LoginSlug+"/end-session/") {
			t.Fatalf("sign out: %q, %v", end, err)
		}
		if v, _ := f.si.Visit(ctx, done.Cookie); v.Status != actions.SessionEnded {
			t.Fatalf("after sign-out: %+v", v)
		}
	})
}

func TestSignInRefusals(t *testing.T) {
	ctx := context.Background()
	f := newSignInFixture(t)

	t.Run("TamperedState", func(t *testing.T) {
		cb := f.begin(t, testenv.Editor.Username, "/")
		cb.State += "x"
		if _, err := f.si.Finish(ctx, cb); wif.SignInErrorKind(err) != wif.SignInInvalid || !strings.Contains(err.Error(), "another state") {
			t.Fatalf("tampered state: %v", err)
		}
		cb.State = strings.TrimSuffix(cb.State, "x") // the attempt is spent: the right state no longer helps
		if _, err := f.si.Finish(ctx, cb); wif.SignInErrorKind(err) != wif.SignInExpired {
			t.Fatalf("second use of an attempt: %v", err)
		}
	})
	t.Run("OtherBrowser", func(t *testing.T) {
		cb := f.begin(t, testenv.Editor.Username, "/")
		cb.Cookie = ""
		if _, err := f.si.Finish(ctx, cb); wif.SignInErrorKind(err) != wif.SignInExpired {
			t.Fatalf("a callback without the attempt cookie: %v", err)
		}
	})
	t.Run("AttemptTooOld", func(t *testing.T) {
		cb := f.begin(t, testenv.Editor.Username, "/")
		*f.clock = f.clock.Add(10 * time.Minute)
		if _, err := f.si.Finish(ctx, cb); wif.SignInErrorKind(err) != wif.SignInExpired || !strings.Contains(err.Error(), "ten minutes") {
			t.Fatalf("an attempt 10 minutes old: %v", err)
		}
	})
	t.Run("NoGroup", func(t *testing.T) {
		_, err := f.si.Finish(ctx, f.begin(t, testenv.Outsider.Username, "/"))
		if wif.SignInErrorKind(err) != wif.SignInNoRole || !strings.Contains(err.Error(), "Otto Outsider <otto>") ||
			!strings.Contains(err.Error(), "“"+testenv.ViewerGroup+"”") || !strings.Contains(err.Error(), "“"+testenv.EditorGroup+"”") {
			t.Fatalf("outsider: %v", err)
		}
	})
	t.Run("ProviderRefused", func(t *testing.T) {
		cb := f.begin(t, testenv.Editor.Username, "/")
		cb.Code, cb.Error, cb.ErrorDescription = "", "access_denied", "The resource owner or authorization server denied the request"
		if _, err := f.si.Finish(ctx, cb); wif.SignInErrorKind(err) != wif.SignInRefused || !strings.Contains(err.Error(), "policy") {
			t.Fatalf("access_denied: %v", err)
		}
	})
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/connections/1":     "/connections/1",
		"/audit?x=1":         "/audit?x=1",
		"":                   "/",
		"https://evil.test/": "/",
		"//evil.test/":       "/",
		"/\\evil.test":       "/",
		"/auth/callback":     "/",
		"connections":        "/",
		"/x\r\nSet-Cookie:":  "/",
	} {
		if got := actions.LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Hour: "1 hour", 12 * time.Hour: "12 hours", time.Minute: "1 minute",
		90 * time.Minute: "90 minutes", 45 * time.Second: "45s"} {
		if got := actions.DurationWords(d); got != want {
			t.Errorf("DurationWords(%s) = %q, want %q", d, got, want)
		}
	}
}
