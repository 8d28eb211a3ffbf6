package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

// Console IDs of a well-formed configuration.
const (
	testRuleID  = "fdrl_01cli"
	testOrgID   = "3f1c2a7e-5b7d-4d2a-9a51-0c8f3e2b1d44"
	testSvacID  = "svac_01cli"
	testSlug    = "claude"
	testSubject = "ak-claude-client_credentials"
)

// jwtPattern matches any compact JWT: none may reach an output or the database.
var jwtPattern = regexp.MustCompile(`eyJ[^.\s"]+\.[^.\s"]+\.[^.\s"]+`)

// syncBuffer is a bytes.Buffer safe for a command writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cliResult is one in-process run of wifwiz.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs wifwiz with args and an environment of exactly vars.
func runCLI(t *testing.T, ctx context.Context, vars map[string]string, args ...string) cliResult {
	t.Helper()
	var out, errOut syncBuffer
	getenv := func(k string) string { return vars[k] }
	code := run(ctx, args, env{stdout: &out, stderr: &errOut, getenv: getenv})
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// fixture is an authentik emulator with one provider, its CA and JWKS saved to files.
type fixture struct {
	emu      *authentikemu.Emulator
	provider authentikemu.Provider
	caFile   string
	jwksFile string
	dir      string
}

func newFixture(t *testing.T, p authentikemu.Provider) *fixture {
	t.Helper()
	emu, err := authentikemu.Start()
	if err != nil {
		t.Fatalf("start the authentik emulator: %v", err)
	}
	t.Cleanup(func() { emu.Close() })
	if p.Slug == "" {
		p.Slug = testSlug
	}
	if p.SubMode == "" {
		p.SubMode = wif.SubUsername
	}
	added, err := emu.AddProvider(p)
	if err != nil {
		t.Fatalf("AddProvider: %v", err)
	}
	f := &fixture{emu: emu, provider: added, dir: t.TempDir()}
	f.caFile = writeTestFile(t, f.dir, "ca.pem", string(emu.CAPEM()))
	f.jwksFile = writeTestFile(t, f.dir, "jwks.json", string(f.fetch(t, f.issuer()+"jwks/")))
	return f
}

func (f *fixture) issuer() string { return f.emu.IssuerURL(f.provider.Slug) }

// fetch GETs u trusting only the emulator's CA.
func (f *fixture) fetch(t *testing.T, u string) []byte {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(f.emu.CAPEM())
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d, %v", u, resp.StatusCode, err)
	}
	return b
}

// secretEnvVars gives the client secret the way a CI job would.
func (f *fixture) secretEnvVars() map[string]string {
	return map[string]string{secretEnv: f.provider.ClientSecret}
}

// goodArgs is a check of a correct configuration: the Console trusts the emulator's JWKS inline
// (the emulator cannot listen on 443), so the only non-pass verdicts are warnings.
func (f *fixture) goodArgs(extra ...string) []string {
	args := []string{"check", "--issuer", f.issuer(), "--client-id", f.provider.ClientID,
		"--subject", testSubject, "--audience", f.provider.ClientID,
		"--federation-rule-id", testRuleID, "--organization-id", testOrgID, "--service-account-id", testSvacID,
		"--ca-file", f.caFile, "--jwks-file", f.jwksFile}
	return append(args, extra...)
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertNoSecrets fails when text holds the client secret or any compact JWT.
func assertNoSecrets(t *testing.T, where, text, secret string) {
	t.Helper()
	if secret != "" && strings.Contains(text, secret) {
		t.Errorf("%s contains the client secret", where)
	}
	if m := jwtPattern.FindString(text); m != "" {
		t.Errorf("%s contains a raw JWT (%d bytes)", where, len(m))
	}
}

// dbBytes is the SQLite file with its WAL and shared-memory files, as an attacker reading the
// disk would see them.
func dbBytes(t *testing.T, path string) string {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		t.Fatalf("no database at %s", path)
	}
	return string(all)
}
