// Package emulator is a test double of Anthropic's token exchange endpoint
// (POST /v1/oauth/token): it checks requests and identity tokens the way anthropic.md says
// Anthropic does, answers with the same shapes, and records why each exchange was denied, like
// the Console's authentication history. It serves on 127.0.0.1 for tests and `wifwiz serve --demo`.
//
// It deliberately repeats the facts (path, header, field names, ID formats, algorithms, leeway,
// minted lifetime) instead of importing wif's constants, which the client uses, so that a mistake
// there cannot hide behind the same mistake here.
package emulator

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
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

	SubjectPrefix            string        // exact, or a prefix when it ends with *
	Audience                 string        // equals aud or one element of it
	Scope                    string        // empty: workspace:developer
	TokenLifetime            time.Duration // empty: 3600 s
	MaxIdentityTokenLifetime time.Duration // empty: 3600 s
	Workspaces               []string      // empty: default; several: workspace_id required
	Archived                 bool
	AllowJTIReuse            bool // the issuer's replay check turned off
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
	URL  string // http(s)://127.0.0.1:port
	http *httptest.Server

	mu       sync.Mutex
	rules    map[string]Rule
	now      func() time.Time
	seen     map[string]map[string]time.Time // issuer → jti → when it may be forgotten
	denials  []string
	accessTk []string
	stats    Stats
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
	s := &Server{rules: map[string]Rule{}, now: time.Now, seen: map[string]map[string]time.Time{}}
	for _, r := range rules {
		if err := s.AddRule(r); err != nil {
			return nil, err
		}
	}
	s.http = httptest.NewUnstartedServer(newAPIFront(s))
	if useTLS {
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	s.URL = s.http.URL
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// CertPEM is the server certificate in PEM form, or nil for a plain http emulator.
func (s *Server) CertPEM() []byte {
	if s.http.TLS == nil {
		return nil
	}
	c := s.http.Certificate()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
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
