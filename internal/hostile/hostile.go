// Package hostile is an OIDC issuer on loopback that attacks whoever verifies it, one way per
// Mode: it echoes the client secret in every encoding, points discovery at other origins, sends
// endless or dripping bodies, redirects elsewhere, puts markup, escape sequences and bidi
// overrides in every field, publishes degenerate keys and absurd times. Tests drive the wizard,
// check, audit and token through every mode (Cases) and assert that nothing is stored or shown
// that should not be, that nothing answers 500, that each ends within its deadline with a
// specific message. Only tests import it.
package hostile

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Mode is one way of being hostile.
type Mode string

const (
	Normal         Mode = "normal"          // a well-behaved issuer, for comparison
	EchoForm       Mode = "echo-form"       // the token endpoint's OAuth error quotes the form-encoded request
	EchoPercent    Mode = "echo-percent"    // … the secret percent-encoded, every byte and partly
	EchoBasic      Mode = "echo-basic"      // … the Basic credentials of id:secret, and the secret in base64
	EchoJSON       Mode = "echo-json"       // a non-OAuth error body with the secret JSON-escaped (\uXXXX)
	EchoHTML       Mode = "echo-html"       // an HTML error page with the secret raw and as character references
	EchoClaims     Mode = "echo-claims"     // a valid token whose claims (and access_token) carry the secret
	InternalJWKS   Mode = "internal-jwks"   // discovery's jwks_uri is an internal service on another origin
	ForeignToken   Mode = "foreign-token"   // discovery's token_endpoint is on another origin
	HugeBody       Mode = "huge-body"       // discovery answers 5 MiB
	EndlessBody    Mode = "endless-body"    // discovery never stops answering
	SlowDrip       Mode = "slow-drip"       // discovery answers a byte at a time, forever
	RedirectPort   Mode = "redirect-port"   // discovery redirects to another port
	RedirectScheme Mode = "redirect-scheme" // discovery redirects to plain http
	RedirectLoop   Mode = "redirect-loop"   // discovery redirects to itself
	Markup         Mode = "markup"          // HTML and script in every field
	DegenerateKeys Mode = "degenerate-keys" // RSA modulus 0, RSA 1024 bits, an EC point off its curve
	AbsurdTimes    Mode = "absurd-times"    // exp 1e300, iat -1e300, nbf 1e300
	Terminal       Mode = "terminal"        // ANSI escape sequences and bidi overrides in every field
)

// Modes are every mode, Normal first.
func Modes() []Mode {
	return []Mode{Normal, EchoForm, EchoPercent, EchoBasic, EchoJSON, EchoHTML, EchoClaims, InternalJWKS, ForeignToken,
		HugeBody, EndlessBody, SlowDrip, RedirectPort, RedirectScheme, RedirectLoop, Markup, DegenerateKeys, AbsurdTimes, Terminal}
}

// Slug is the application slug of the issuer's authentik-shaped URL.
const Slug = "hostile"

// ClientID is the client the issuer knows.
const ClientID = "hostile-client"

// Issuer is a running hostile issuer.
type Issuer struct {
	Mode    Mode
	BaseURL string // https://127.0.0.1:PORT, authentik's URL
	URL     string // the issuer: BaseURL/application/o/hostile/
	CAPEM   []byte // trusts the issuer and Other (one certificate for 127.0.0.1)
	Secret  string // the client secret: Core and characters every encoder treats differently
	// Core is the secret's random part: Leaks looks for it in every encoding.
	Core string
	// Marker is what the internal service answers: it must never be shown or stored.
	Marker string
	Other  *Other

	srv, plain *httptest.Server
	keys       *keys
	streamed   atomic.Int64 // bytes an endless or dripping body got out
	streams    sync.WaitGroup
}

// Other is a server on another origin: an internal service, or a foreign token endpoint.
type Other struct {
	URL        string
	Hits       atomic.Int64 // requests it received
	SecretSeen atomic.Bool  // one of them carried the client secret
}

// Start runs an issuer in mode until the test ends.
func Start(t testing.TB, mode Mode) *Issuer {
	t.Helper()
	core := randomHex(t, 12)
	iss := &Issuer{Mode: mode, Core: core, Secret: "hx" + core + `/+ &"é<>%41`, Marker: "INTERNAL-ONLY-" + randomHex(t, 8), keys: newKeys(t)}
	iss.Other = &Other{}
	// Clients that give up mid-answer are the point: their broken connections are not news.
	quiet := log.New(io.Discard, "", 0)
	other := httptest.NewUnstartedServer(http.HandlerFunc(iss.serveOther))
	iss.srv = httptest.NewUnstartedServer(http.HandlerFunc(iss.serve))
	iss.plain = httptest.NewUnstartedServer(http.HandlerFunc(iss.serve))
	for _, s := range []*httptest.Server{other, iss.srv, iss.plain} {
		s.Config.ErrorLog = quiet
	}
	other.StartTLS()
	iss.srv.StartTLS()
	iss.plain.Start()
	iss.Other.URL = other.URL
	iss.BaseURL = iss.srv.URL
	iss.URL = iss.BaseURL + "/application/o/" + Slug + "/"
	iss.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: iss.srv.Certificate().Raw})
	t.Cleanup(func() {
		iss.srv.CloseClientConnections()
		other.CloseClientConnections()
		iss.srv.Close()
		other.Close()
		iss.plain.Close()
	})
	return iss
}

// Streamed is how many bytes an endless or dripping body got out before the client left.
func (i *Issuer) Streamed() int64 { return i.streamed.Load() }

// WaitStreams returns once every endless or dripping body has ended, that is once the client
// stopped reading.
func (i *Issuer) WaitStreams() { i.streams.Wait() }

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func (i *Issuer) serveOther(w http.ResponseWriter, r *http.Request) {
	i.Other.Hits.Add(1)
	if i.carriesSecret(r) {
		i.Other.SecretSeen.Store(true)
	}
	w.Header().Set("Content-Type", "application/json")
	// What an internal service would answer: it must reach no page and no database.
	_, _ = w.Write([]byte(`{"keys":[],"issuer":"` + i.Marker + `","secret_data":"` + i.Marker + `"}`))
}

func (i *Issuer) carriesSecret(r *http.Request) bool {
	if _, pass, ok := r.BasicAuth(); ok && pass == i.Secret {
		return true
	}
	_ = r.ParseForm()
	return r.PostForm.Get("client_secret") == i.Secret
}

// Leaks names every form of the secret, and the internal marker, found in text.
func (i *Issuer) Leaks(text string) []string {
	var found []string
	for name, form := range leakForms(i.Core) {
		if containsHalf(text, form) {
			found = append(found, name)
		}
	}
	if strings.Contains(text, i.Marker) {
		found = append(found, "internal marker")
	}
	return found
}
