package authentik

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

func TestNewClientRejectsBadCA(t *testing.T) {
	e := startEmulator(t)
	for name, pemText := range map[string]string{
		"NoPEM":        "not a certificate",
		"PrivateKey":   "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"Garbage":      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"TrailingData": string(e.CAPEM()) + "junk",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewClient(Options{CAPEM: []byte(pemText)}); err == nil || !strings.Contains(err.Error(), "CA PEM") {
				t.Fatalf("err %v, want a CA PEM error", err)
			}
		})
	}
	if _, err := NewClient(Options{CAPEM: e.CAPEM()}); err != nil {
		t.Fatalf("a valid CA PEM: %v", err)
	}
}

func TestUntrustedCertificate(t *testing.T) {
	e := startEmulator(t)
	p := addProvider(t, e, emulatorProvider())
	obs := newClient(t, nil).Observe(context.Background(), discoveryRequest(e, p), nil)
	if obs.Discovery.Status != 0 || !strings.Contains(obs.Discovery.Err, "unknown authority") {
		t.Fatalf("discovery %+v, want a TLS unknown-authority error", obs.Discovery)
	}
	if obs.JWKS != nil {
		t.Error("an unconfirmed JWKS guess was kept after discovery failed")
	}
	// The token request to authentik's conventional endpoint went out with discovery, and
	// failed the same way: the report names the true reason, not "no client secret".
	if obs.Token == nil || !strings.Contains(obs.Token.Err, "unknown authority") {
		t.Errorf("token %+v, want the same TLS error", obs.Token)
	}
	if c := e.Counts(); c["discovery"]+c["token"]+c["jwks"] != 0 {
		t.Errorf("requests reached the emulator through an untrusted TLS session: %v", c)
	}
}

func TestResponseSizeLimit(t *testing.T) {
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := wif.MaxResponseBytes
		if r.URL.Path == "/big" {
			n++
		}
		_, _ = w.Write([]byte(strings.Repeat("x", n)))
	}))
	c := newClient(t, caPEM)
	big := c.get(context.Background(), srv.URL+"/big")
	if big.Status != http.StatusOK || big.Body != nil || !strings.Contains(big.Err, "too large") {
		t.Errorf("1 MiB + 1: status %d, %d bytes, err %q; want refused as too large", big.Status, len(big.Body), big.Err)
	}
	exact := c.get(context.Background(), srv.URL+"/exact")
	if exact.Err != "" || len(exact.Body) != wif.MaxResponseBytes {
		t.Errorf("exactly 1 MiB: %d bytes, err %q; want accepted", len(exact.Body), exact.Err)
	}
}

func TestRedirects(t *testing.T) {
	other, _ := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the client followed a redirect to another host")
	}))
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/target", http.StatusFound)
		case "/target":
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	c := newClient(t, caPEM)
	if f := c.get(context.Background(), srv.URL+"/here"); f.Err != "" || string(f.Body) != "{}" {
		t.Errorf("same-host redirect: %+v, want followed", f)
	}
	if f := c.get(context.Background(), srv.URL+"/away"); !strings.Contains(f.Err, "another scheme or host") {
		t.Errorf("other-host redirect: err %q, want refused", f.Err)
	}
}

func TestEmulatorSlugRedirectsToDiscovery(t *testing.T) {
	e := startEmulator(t)
	p := addProvider(t, e, emulatorProvider())
	f := newClient(t, e.CAPEM()).get(context.Background(), e.IssuerURL(p.Slug))
	if f.Status != http.StatusOK || !strings.Contains(string(f.Body), `"issuer"`) {
		t.Fatalf("GET <slug>/: HTTP %d %q, want the discovery document", f.Status, f.Body)
	}
}

func TestNotAnAbsoluteURL(t *testing.T) {
	c := newClient(t, nil)
	for _, u := range []string{"", "/relative", "ftp://host/x", "https://"} {
		if f := c.get(context.Background(), u); !strings.Contains(f.Err, "not an absolute http(s) URL") {
			t.Errorf("%q: err %q", u, f.Err)
		}
	}
}

func TestTimeout(t *testing.T) {
	e := startEmulator(t, emulator.WithLatency(time.Hour))
	c, err := NewClient(Options{CAPEM: e.CAPEM(), Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if f := c.get(context.Background(), e.URL()+"/application/o/x/jwks/"); f.Status != 0 || f.Err != "no complete answer within 200ms" {
		t.Errorf("fetch %+v, want the time limit named", f)
	}
}
