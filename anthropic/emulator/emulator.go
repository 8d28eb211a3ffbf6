// Package emulator is a test double of Anthropic's token exchange endpoint
// (POST /v1/oauth/token) and of its WIF management API (/v1/organizations/…: service accounts,
// federation issuers and rules, workspaces). It checks requests and identity tokens the way
// Anthropic's documentation says Anthropic does, answers with the same shapes, and records why
// each exchange was denied, like the Console's authentication history (History). An exchange may
// name a configured Rule or a rule created through the management API; for the latter it applies
// the rule's full match block (CEL condition included), its issuer's key source and settings, and
// the target service account's state and workspace memberships. It serves on 127.0.0.1 for tests
// and `wifwiz serve --demo`.
//
// It deliberately repeats the facts (path, header, field names, ID formats, algorithms, leeway,
// minted lifetime, validation and matching rules) instead of importing wifwiz's packages, which
// the clients and the check engine use, so that a mistake there cannot hide behind the same
// mistake here.
package emulator

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Rule is one federation rule together with the issuer it trusts, as configured in the Console.
// Exactly one of JWKS, KeySet and JWKSURL gives the issuer's keys.
type Rule struct {
	ID               string // fdrl_…
	OrganizationID   string // UUID
	ServiceAccountID string // svac_…
	IssuerURL        string // compared byte for byte with iss

	JWKS    *jose.JSONWebKeySet                                   // inline keys
	KeySet  func(ctx context.Context) (jose.JSONWebKeySet, error) // keys looked up at each exchange
	JWKSURL string                                                // fetched at each exchange
	CAPEM   []byte                                                // extra trusted CA for JWKSURL

	SubjectPrefix            string            // exact, or a prefix when it ends with *; empty: not matched
	Audience                 string            // equals aud or one element of it
	Claims                   map[string]string // top-level string claims that must be equal
	Condition                string            // CEL over claims that must be true
	Scope                    string            // empty: workspace:developer
	TokenLifetime            time.Duration     // empty: 3600 s
	MaxIdentityTokenLifetime time.Duration     // empty: 3600 s
	Workspaces               []string          // empty: default; several: workspace_id required
	Archived                 bool
	AllowJTIReuse            bool // the issuer's replay check turned off

	console *consoleFacts // set for a rule made through the management API
}

// Stats counts what the emulator answered.
type Stats struct {
	Requests    int // every request, whatever the path
	BadRequests int // 4xx other than 401
	Denied      int // 401
	Issued      int // 200
}

// Server is a running emulator.
type Server struct {
	URL      string // http(s)://127.0.0.1:port
	srv      *http.Server
	certPEM  []byte        // nil for plain http
	served   chan struct{} // closed when Serve returns
	front    *apiFront     // the API paths in front of the token endpoint
	stopMu   sync.Mutex
	stopping bool           // set by Close; later requests are refused
	active   sync.WaitGroup // requests being answered

	mu       sync.Mutex
	rules    map[string]Rule
	now      func() time.Time
	seen     map[string]map[string]time.Time // issuer → jti → when it may be forgotten
	denials  []string
	accessTk []string
	stats    Stats

	cmu     sync.Mutex // guards console
	console *console
	muxOnce sync.Once
	mux     *http.ServeMux // the management API's routes
}

// New starts an emulator over plain http on 127.0.0.1 (the client allows http for loopback).
func New(rules ...Rule) (*Server, error) {
	return start(false, rules)
}

// NewTLS starts an emulator over https on 127.0.0.1 with a self-signed certificate; CertPEM
// gives that certificate for a client's CA option.
func NewTLS(rules ...Rule) (*Server, error) {
	return start(true, rules)
}

func start(useTLS bool, rules []Rule) (*Server, error) {
	s := &Server{rules: map[string]Rule{}, now: time.Now, seen: map[string]map[string]time.Time{}, console: newConsole()}
	for _, r := range rules {
		if err := s.AddRule(r); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emulator listen: %w", err)
	}
	s.front = newAPIFront(s)
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveCounted), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)} // clients that reject the certificate are a tested case
	s.URL = "http://" + ln.Addr().String()
	if useTLS {
		cert, certPEM, err := selfSigned()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.certPEM, s.URL = certPEM, "https://"+ln.Addr().String()
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

func (s *Server) serveCounted(w http.ResponseWriter, r *http.Request) {
	s.stopMu.Lock()
	if s.stopping {
		s.stopMu.Unlock()
		http.Error(w, "emulator stopped", http.StatusServiceUnavailable)
		return
	}
	s.active.Add(1)
	s.stopMu.Unlock()
	defer s.active.Done()
	s.front.ServeHTTP(w, r)
}

// Close stops the server and waits for the requests it was answering.
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.served
	s.stopMu.Lock()
	s.stopping = true
	s.stopMu.Unlock()
	s.active.Wait()
}

// CertPEM is the server certificate in PEM form, or nil for a plain http emulator.
func (s *Server) CertPEM() []byte { return s.certPEM }

// selfSigned makes a certificate for 127.0.0.1, ::1 and localhost that is its own CA, so a
// client can trust it through CertPEM alone.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("emulator key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("emulator serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "wifwiz Anthropic emulator"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("emulator certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// AddRule adds or replaces a rule (by ID).
func (s *Server) AddRule(r Rule) error {
	if err := r.check(); err != nil {
		return fmt.Errorf("emulator rule %q: %w", r.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules[r.ID] = r.withDefaults()
	return nil
}

// SetNow replaces the clock; nil restores time.Now.
func (s *Server) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Denials lists why each exchange was refused, oldest first, as "<reason>: <detail>" where
// reason is one of the Deny constants.
func (s *Server) Denials() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.denials...)
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// AccessTokens lists the fake access tokens issued, so tests can check that a client never
// shows one whole.
func (s *Server) AccessTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.accessTk...)
}
