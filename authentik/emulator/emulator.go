// Package emulator is an in-process authentik test double over real HTTPS on loopback, with a CA
// generated at start: the OIDC endpoints (discovery, JWKS, token with client credentials and
// authorization codes, authorize with a test login, userinfo, end-session), and the admin API's
// providers, applications, flows, scope mappings, keypairs and version, read and write. A
// "generic issuer" mode answers with Dex's shapes instead. Tests and `wifwiz serve --demo` use it.
package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Emulator is a running authentik double. All methods are safe for concurrent use.
type Emulator struct {
	srv       *http.Server
	port      int
	caPEM     []byte
	apiToken  string
	readToken string // an API token whose user may read but not change
	secretKey string // salts hashed user IDs, like authentik's SECRET_KEY
	version   version
	generic   bool // Dex's shapes instead of authentik's
	optErr    error
	served    chan struct{}
	serveErr  error // set before served is closed

	mu         sync.Mutex
	providers  map[int]*providerState
	apps       map[string]*appState // by slug
	keypairs   map[string]*keypair  // by UUID
	selfSigned string               // UUID of the "authentik Self-signed Certificate"
	flows      []*flow
	mappings   []*scopeMapping
	users      map[int]*userState
	codes      map[string]*authCode
	sessions   map[string]int    // browser session → user pk
	grants     map[string]*grant // access tokens of logins, for userinfo
	autoLogin  string
	nextPK     int
	nextUserPK int
	latency    time.Duration
	down       bool
	now        func() time.Time
	counts     map[string]int

	inFlight    atomic.Int64
	maxInFlight atomic.Int64
}

// Option configures an Emulator at start.
type Option func(*Emulator)

// WithAPIToken sets the Bearer token the admin API accepts; by default a random one (APIToken).
func WithAPIToken(token string) Option { return func(e *Emulator) { e.apiToken = token } }

// WithNow sets the emulator's clock.
func WithNow(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// WithLatency delays every answer by d.
func WithLatency(d time.Duration) Option { return func(e *Emulator) { e.latency = d } }

// WithReadOnlyAPIToken sets the token of an API user that may read but not change anything
// (writes get 403); by default a random one (ReadOnlyAPIToken).
func WithReadOnlyAPIToken(token string) Option { return func(e *Emulator) { e.readToken = token } }

// WithVersion makes the emulator behave as that authentik release (default DefaultVersion):
// before 2026.2 tokens have no jti and new keys get an MD5 kid; before 2025.8 token errors have
// no request_id; from 2026.5 providers have grant_types, enforced by the token endpoint; before
// 2024.12 redirect_uris is one newline-separated string; from 2025.12 keypairs show key_type.
func WithVersion(v string) Option {
	return func(e *Emulator) {
		parsed, err := parseVersion(v)
		if err != nil {
			e.optErr = err
		}
		e.version = parsed
	}
}

// WithGenericIssuer makes every provider a generic OIDC issuer with Dex's shapes instead of
// authentik's: issuer URL()+"/<slug>" without a trailing slash; <issuer>/.well-known/openid-configuration,
// <issuer>/keys and <issuer>/token; invalid_client with HTTP 401 for a wrong secret and an unknown
// client alike; no request_id, no scope member in token responses, no X-authentik-id header.
func WithGenericIssuer() Option { return func(e *Emulator) { e.generic = true } }

// Start serves the emulator on a random loopback port over HTTPS.
func Start(opts ...Option) (*Emulator, error) {
	cert, caPEM, err := selfSignedTLS()
	if err != nil {
		return nil, fmt.Errorf("emulator TLS: %w", err)
	}
	e := newEmulator(caPEM)
	for _, o := range opts {
		o(e)
	}
	if e.optErr != nil {
		return nil, e.optErr
	}
	if err := e.addDefaultKeypair(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emulator listen: %w", err)
	}
	e.port = ln.Addr().(*net.TCPAddr).Port
	e.srv = &http.Server{
		Handler:           e.middleware(e.routes()),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		// Clients that reject the certificate are a tested case, not news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(e.served)
		e.serveErr = e.srv.ServeTLS(ln, "", "")
	}()
	return e, nil
}

func newEmulator(caPEM []byte) *Emulator {
	v, _ := parseVersion(DefaultVersion)
	return &Emulator{
		caPEM:      caPEM,
		apiToken:   randomString(64),
		readToken:  randomString(64),
		secretKey:  randomString(50),
		version:    v,
		served:     make(chan struct{}),
		providers:  map[int]*providerState{},
		apps:       map[string]*appState{},
		keypairs:   map[string]*keypair{},
		flows:      defaultFlows(),
		mappings:   defaultScopeMappings(),
		users:      map[int]*userState{},
		codes:      map[string]*authCode{},
		sessions:   map[string]int{},
		grants:     map[string]*grant{},
		nextUserPK: 1,
		now:        time.Now,
		counts:     map[string]int{},
	}
}

// addDefaultKeypair adds the RSA keypair every authentik instance has; its key is generated on
// first use.
func (e *Emulator) addDefaultKeypair() error {
	k, err := newKeypair(KeypairSpec{Name: SelfSignedName, Type: KeyRSA}, e.version.hashedKID())
	if err != nil {
		return err
	}
	e.keypairs[k.uuid] = k
	e.selfSigned = k.uuid
	return nil
}

// URL is the emulator's base URL under the name localhost, e.g. https://localhost:41234.
func (e *Emulator) URL() string { return "https://localhost:" + strconv.Itoa(e.port) }

// IPURL is the same server under its IP literal, https://127.0.0.1:41234: a second host name
// for the "iss follows the Host used" case.
func (e *Emulator) IPURL() string { return "https://127.0.0.1:" + strconv.Itoa(e.port) }

// IssuerURL is the per-provider issuer URL of slug under URL(), trailing slash included; in the
// generic issuer mode URL()+"/"+slug, without one.
func (e *Emulator) IssuerURL(slug string) string {
	if e.generic {
		return e.URL() + "/" + slug
	}
	return e.URL() + "/application/o/" + slug + "/"
}

// CAPEM is the PEM of the CA that signed the emulator's certificate.
func (e *Emulator) CAPEM() []byte { return append([]byte(nil), e.caPEM...) }

// APIToken is the Bearer token the admin API accepts for reads and writes.
func (e *Emulator) APIToken() string { return e.apiToken }

// ReadOnlyAPIToken is a Bearer token the admin API accepts for reads only; writes get 403.
func (e *Emulator) ReadOnlyAPIToken() string { return e.readToken }

// Version is the authentik release the emulator behaves as, e.g. 2026.2.2.
func (e *Emulator) Version() string { return e.version.raw }

// Close stops the server at once, cutting open connections.
func (e *Emulator) Close() error {
	err := e.srv.Close()
	<-e.served
	return e.stopped(err)
}

// Shutdown stops the server after open requests finish or ctx ends.
func (e *Emulator) Shutdown(ctx context.Context) error {
	err := e.srv.Shutdown(ctx)
	<-e.served
	return e.stopped(err)
}

func (e *Emulator) stopped(closeErr error) error {
	if closeErr != nil {
		return fmt.Errorf("emulator stop: %w", closeErr)
	}
	if e.serveErr != nil && !errors.Is(e.serveErr, http.ErrServerClosed) {
		return fmt.Errorf("emulator serve: %w", e.serveErr)
	}
	return nil
}

// SetLatency delays every answer by d (0: none); a client that gives up is not answered.
func (e *Emulator) SetLatency(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.latency = d
}

// SetDown simulates an outage: while down, every request gets 503.
func (e *Emulator) SetDown(down bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.down = down
}

// SetNow replaces the clock used for iat, exp and auth_time.
func (e *Emulator) SetNow(now func() time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = now
}

func (e *Emulator) clock() time.Time {
	e.mu.Lock()
	now := e.now
	e.mu.Unlock()
	return now()
}

// Counts returns how many requests arrived per kind: discovery, jwks, token, api, authorize,
// userinfo, redirect (other /application/o/ paths), other.
func (e *Emulator) Counts() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.counts))
	for k, v := range e.counts {
		out[k] = v
	}
	return out
}

// ResetCounts zeroes the request counters and the in-flight maximum.
func (e *Emulator) ResetCounts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts = map[string]int{}
	e.maxInFlight.Store(e.inFlight.Load())
}

// MaxInFlight is the largest number of requests the emulator was answering at once.
func (e *Emulator) MaxInFlight() int { return int(e.maxInFlight.Load()) }
