package authentik

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/verify"
)

// recorder is a test issuer that counts requests per path and can hold every answer until a
// number of requests have arrived, which proves they were in flight together.
type recorder struct {
	mu       sync.Mutex
	paths    []string
	holdFor  int           // answer nothing until this many requests arrived; 0: answer at once
	released chan struct{} // closed when holdFor requests arrived
	t        *testing.T
}

func newRecorder(t *testing.T, holdFor int) *recorder {
	return &recorder{holdFor: holdFor, released: make(chan struct{}), t: t}
}

func (rec *recorder) arrive(path string) {
	rec.mu.Lock()
	rec.paths = append(rec.paths, path)
	if len(rec.paths) == rec.holdFor {
		close(rec.released)
	}
	rec.mu.Unlock()
	if rec.holdFor == 0 {
		return
	}
	select {
	case <-rec.released:
	case <-time.After(5 * time.Second):
		rec.t.Errorf("%s waited 5 s for the other requests: they were not started together (arrived: %v)", path, rec.seen())
	}
}

func (rec *recorder) seen() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.paths...)
}

func (rec *recorder) count(path string) int {
	n := 0
	for _, p := range rec.seen() {
		if p == path {
			n++
		}
	}
	return n
}

// authentikShaped serves discovery naming jwksPath and tokenPath (relative to its own origin,
// or absolute when they start with http), and answers every other path with a body naming it.
func authentikShaped(t *testing.T, rec *recorder, jwksPath, tokenPath string) (base string, caPEM []byte) {
	var origin string
	abs := func(p string) string {
		if strings.HasPrefix(p, "http") {
			return p
		}
		return origin + p
	}
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.arrive(r.URL.Path)
		switch {
		case r.URL.Path == "/application/o/x/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": origin + "/application/o/x/", "jwks_uri": abs(jwksPath), "token_endpoint": abs(tokenPath)})
		case r.Method == http.MethodPost:
			_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "at-from " + r.URL.Path, "token_type": "Bearer"})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"keys": []any{}, "from": r.URL.Path})
		}
	}))
	origin = srv.URL
	return srv.URL, caPEM
}

// TestObserveOneRoundTrip: for an authentik-shaped issuer, discovery, the JWKS and the token
// request are one each and in flight together — the server answers none of them until all
// three have arrived (issue 12 item 6).
func TestObserveOneRoundTrip(t *testing.T) {
	rec := newRecorder(t, 3)
	base, caPEM := authentikShaped(t, rec, "/application/o/x/jwks/", "/application/o/token/")
	obs := newClient(t, caPEM).Observe(context.Background(), Request{IssuerURL: base + "/application/o/x/", ClientID: "c", ClientSecret: "s"}, nil)
	for _, p := range []string{"/application/o/x/.well-known/openid-configuration", "/application/o/x/jwks/", "/application/o/token/"} {
		if n := rec.count(p); n != 1 {
			t.Errorf("%s requested %d times, want once (all: %v)", p, n, rec.seen())
		}
	}
	if len(rec.seen()) != 3 {
		t.Errorf("requests %v, want exactly three", rec.seen())
	}
	if obs.JWKS == nil || obs.JWKS.Status != http.StatusOK || obs.Token == nil || obs.Token.Status != http.StatusOK {
		t.Fatalf("JWKS %+v, token %s", obs.JWKS, describeToken(obs.Token))
	}
}

// TestObserveGuessesDiscarded: discovery names other endpoints on the same origin; the guessed
// results are discarded and the named endpoints fetched and used.
func TestObserveGuessesDiscarded(t *testing.T) {
	rec := newRecorder(t, 0)
	base, caPEM := authentikShaped(t, rec, "/keys/elsewhere", "/oauth2/token")
	obs := newClient(t, caPEM).Observe(context.Background(), Request{IssuerURL: base + "/application/o/x/", ClientID: "c", ClientSecret: "s"}, nil)
	if obs.JWKS == nil || obs.JWKS.URL != base+"/keys/elsewhere" || !strings.Contains(string(obs.JWKS.Body), `"from":"/keys/elsewhere"`) {
		t.Errorf("JWKS %+v, want the one discovery names", obs.JWKS)
	}
	if obs.Token == nil || obs.Token.URL != base+"/oauth2/token" || !strings.Contains(string(obs.Token.Body), "at-from /oauth2/token") {
		t.Errorf("token %s, want the one discovery names", describeToken(obs.Token))
	}
	for _, p := range []string{"/keys/elsewhere", "/oauth2/token", "/application/o/x/jwks/", "/application/o/token/"} {
		if n := rec.count(p); n != 1 {
			t.Errorf("%s requested %d times, want once (all: %v)", p, n, rec.seen())
		}
	}
}

// TestObserveForeignEndpoints: a discovery document naming another origin sends wifwiz, and the
// secret, nowhere (issue 13, M3); the engine then fails jwks and token.request.
func TestObserveForeignEndpoints(t *testing.T) {
	other := newRecorder(t, 0)
	otherBase, otherCA := authentikShaped(t, other, "/unused", "/unused")
	for name, issuerPath := range map[string]string{"AuthentikShaped": "/application/o/x/", "Generic": "/o/x/"} {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t, 0)
			var base string
			srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec.arrive(r.URL.Path)
				if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
					_ = json.NewEncoder(w).Encode(map[string]string{"issuer": base + issuerPath, "jwks_uri": otherBase + "/jwks", "token_endpoint": otherBase + "/token"})
					return
				}
				_, _ = w.Write([]byte(`{"access_token":"a.b.c"}`))
			}))
			base = srv.URL
			c, err := NewClient(Options{CAPEM: append(append(caPEM, '\n'), otherCA...), Resolver: fakeResolver{}})
			if err != nil {
				t.Fatal(err)
			}
			obs := c.Observe(context.Background(), Request{IssuerURL: base + issuerPath, ClientID: "c", ClientSecret: "s3cret"}, nil)
			if n := len(other.seen()); n != 0 {
				t.Fatalf("the other origin got %d requests: %v", n, other.seen())
			}
			if obs.JWKS != nil || obs.Token != nil || obs.TokenSkipped != verify.TokenSkipForeignEndpoint {
				t.Fatalf("JWKS %+v, token %s, skipped %q", obs.JWKS, describeToken(obs.Token), obs.TokenSkipped)
			}
			rep := verify.Run(verify.Config{IssuerURL: base + issuerPath, TokenField: "auto"}, obs, time.Now())
			for _, id := range []string{verify.CheckJWKS, verify.CheckTokenRequest} {
				if c := checkOf(rep, id); c.Status != verify.Fail || !strings.Contains(c.Message, "another origin") && !strings.Contains(c.Actual, "another origin") {
					t.Errorf("%s: %s %q", id, c.Status, c.Message)
				}
			}
		})
	}
}

func TestObserveTokenSkipReasons(t *testing.T) {
	rec := newRecorder(t, 0)
	base, caPEM := authentikShaped(t, rec, "/application/o/x/jwks/", "/application/o/token/")
	c := newClient(t, caPEM)
	obs := c.Observe(context.Background(), Request{IssuerURL: base + "/application/o/x/", ClientID: "c"}, nil)
	if obs.Token != nil || obs.TokenSkipped != verify.TokenSkipNoSecret || rec.count("/application/o/token/") != 0 {
		t.Errorf("without a secret: token %s, skipped %q, %d token requests", describeToken(obs.Token), obs.TokenSkipped, rec.count("/application/o/token/"))
	}
	obs = c.Observe(context.Background(), Request{IssuerURL: base + "/generic/", ClientID: "c", ClientSecret: "s"}, nil)
	if obs.Discovery.Status != http.StatusOK || obs.Token != nil || obs.TokenSkipped != verify.TokenSkipNoEndpoint {
		t.Errorf("generic issuer whose discovery names nothing: discovery %d, token %s, skipped %q", obs.Discovery.Status, describeToken(obs.Token), obs.TokenSkipped)
	}
}

func checkOf(rep verify.Report, id string) verify.Check {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	return verify.Check{}
}
