package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
)

// TestURLFlagsValidatedLikeTheWizard: a malformed URL on the command line is exit 2 before any
// request, and --save stores nothing.
func TestURLFlagsValidatedLikeTheWizard(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	for _, tc := range []struct{ flag, value, want string }{
		{"--issuer", "javascript:alert(1)//", "--issuer: Issuer URL must be an absolute URL"},
		{"--issuer", "not a url", "--issuer: Issuer URL must not contain spaces"},
		{"--token-url", "javascript:alert(document.cookie)", "--token-url: Token URL must be an absolute URL"},
		{"--token-url", "https://evil.example/t\nSet-Cookie: x=1", "--token-url: Token URL contains the invisible character U+000A"},
		{"--discovery-base", "ftp://authentik.example/x", "--discovery-base: Discovery base must start with https://"},
		{"--anthropic-base-url", "https://api.example/?q=1", "--anthropic-base-url: Anthropic base URL must not have a query"},
	} {
		db := filepath.Join(t.TempDir(), "new", "wifwiz.db")
		args := append(f.goodArgs("--save", "bad", "--db", db), tc.flag, tc.value)
		r := runCLI(t, context.Background(), f.secretEnvVars(), args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s %q: exit %d, stderr %q", tc.flag, tc.value, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Dir(db)); err == nil {
			t.Errorf("%s %q: the usage error left %s behind", tc.flag, tc.value, filepath.Dir(db))
		}
	}
	// An existing connection keeps its token URL.
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	if r := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs("--save", "kept", "--db", db)...); r.code != exitOK {
		t.Fatalf("save: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, context.Background(), f.secretEnvVars(), "check", "--connection", "kept", "--db", db, "--save", "kept", "--token-url", "javascript:alert(1)")
	if r.code != exitUsage || strings.Contains(dbBytes(t, db), "javascript:") {
		t.Fatalf("exit %d; stored: %v", r.code, strings.Contains(dbBytes(t, db), "javascript:"))
	}
}

// TestUsageErrorCreatesNoDatabase: a mistake found after --db was opened removes what opening
// created, folders included.
func TestUsageErrorCreatesNoDatabase(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	root := t.TempDir()
	db := filepath.Join(root, "a", "b", "wifwiz.db")
	r := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs("--save", "x", "--db", db, "--federation-rule-id", "not an id")...)
	if r.code != exitUsage {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	r = runCLI(t, context.Background(), nil, "serve", "--addr", "0.0.0.0:0", "--db", db)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--tls-cert") {
		t.Fatalf("serve off loopback without TLS: exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("serve left behind: %v", entries)
	}
	// Sign-in without its client secret is found after --db was opened.
	r = runCLI(t, context.Background(), nil, "serve", "--addr", "127.0.0.1:0", "--db", db, "--oidc-issuer", "https://authentik.example/application/o/wifwiz/",
		"--oidc-client-id", "cid", "--oidc-editor-group", "eds", "--oidc-redirect-url", "https://wifwiz.example/auth/callback")
	if r.code != exitUsage || !strings.Contains(r.stderr, "client secret") {
		t.Fatalf("serve with sign-in and no secret: exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("serve's sign-in mistake left behind: %v", entries)
	}
}

// TestNewerSchemaIsExit2 leaves the newer database as it was.
func TestNewerSchemaIsExit2(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	if r := runCLI(t, context.Background(), f.secretEnvVars(), f.goodArgs("--save", "kept", "--db", db)...); r.code != exitOK {
		t.Fatalf("save: %d %s", r.code, r.stderr)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA journal_mode=DELETE`, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	before, _ := os.ReadFile(db)
	for _, args := range [][]string{
		{"export", "--connection", "kept", "--format", "shell", "--db", db},
		{"audit", "--db", db},
		{"check", "--connection", "kept", "--db", db},
		{"serve", "--addr", "127.0.0.1:0", "--db", db},
	} {
		r := runCLI(t, context.Background(), f.secretEnvVars(), args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "written by a newer wifwiz") {
			t.Errorf("%s: exit %d: %s", args[0], r.code, r.stderr)
		}
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Fatal("the newer database was written to")
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their files and the pool
// that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wifwiz test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile = writeTestFile(t, dir, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeTestFile(t, dir, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})))
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	_, url := startServe(t, nil, servingURL, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "w.db"), "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cookie := resp.Header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "wifwiz_csrf=") || !strings.Contains(cookie, "; Secure") {
		t.Fatalf("CSRF cookie %q is not Secure", cookie)
	}
	// Plain HTTP to the TLS port is not served.
	if resp, err := http.Get("http://" + strings.TrimPrefix(url, "https://")); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain http answered 200")
		}
	}
}

func TestServeTransportFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	certFile, keyFile, _ := selfSigned(t)
	for _, tc := range []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, nil, "not a loopback address"},
		{[]string{"--addr", "127.0.0.1:0", "--tls-cert", certFile}, nil, "give both --tls-cert and --tls-key"},
		{[]string{"--addr", "127.0.0.1:0", "--tls-cert", keyFile, "--tls-key", keyFile}, nil, "--tls-cert"},
		{[]string{"--addr", "127.0.0.1:0", "--behind-tls-proxy"}, map[string]string{"WIFWIZ_ACCESS_TOKEN": "short-token"}, "WIFWIZ_ACCESS_TOKEN has 11 characters: give at least 32"},
	} {
		r := runCLI(t, context.Background(), tc.vars, append([]string{"serve", "--db", db}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("a refused serve created the database")
	}
}

// TestSuppliedAccessTokenNeverPrinted: behind a TLS proxy the token is required; one given in
// WIFWIZ_ACCESS_TOKEN is never printed, a generated one is (it is the only way to learn it).
func TestSuppliedAccessTokenNeverPrinted(t *testing.T) {
	const token = "given-0123456789abcdef0123456789abcdef"
	s, url := startServe(t, map[string]string{"WIFWIZ_ACCESS_TOKEN": token}, servingURL, "--addr", "127.0.0.1:0", "--behind-tls-proxy", "--db", filepath.Join(t.TempDir(), "w.db"))
	if strings.Contains(s.stdout.String(), token) || strings.Contains(url, "token=") {
		t.Fatalf("the supplied token was printed: %s", s.stdout.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without the token: %d", resp.StatusCode)
	}
	_, generated := startServe(t, nil, servingURL, "--addr", "127.0.0.1:0", "--behind-tls-proxy", "--db", filepath.Join(t.TempDir(), "w.db"))
	if m := regexp.MustCompile(`\?token=([0-9a-f]+)$`).FindStringSubmatch(generated); m == nil || len(m[1]) < minAccessToken {
		t.Fatalf("generated token URL %q", generated)
	}
}

// TestCheckSaveRefusesWhatTheWizardRefuses: --save validates as the wizard (a newline, invalid
// UTF-8, an escape sequence; a private key or trailing data in the CA file) and stores nothing.
func TestCheckSaveRefusesWhatTheWizardRefuses(t *testing.T) {
	f := newFixture(t, authentikemu.Provider{})
	key := "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBcmD0EzBquBuhR8XRsbXSIZQ0JKKYwNQDAjeMdMidZX\n-----END PRIVATE KEY-----\n"
	ca, _ := os.ReadFile(f.caFile)
	for name, extra := range map[string][]string{
		"newline":       {"--subject", "ak-claude\nexport X=1"},
		"nonUTF8":       {"--audience", "aud\xff\xfe"},
		"escape":        {"--client-id", f.provider.ClientID + "\x1b[2J"},
		"private key":   {"--ca-file", writeTestFile(t, t.TempDir(), "ca.pem", string(ca)+key)},
		"trailing junk": {"--ca-file", writeTestFile(t, t.TempDir(), "ca.pem", string(ca)+strings.Repeat("junk", 1000))},
	} {
		db := filepath.Join(t.TempDir(), "wifwiz.db")
		r := runCLI(t, context.Background(), f.secretEnvVars(), append(f.goodArgs("--save", "x", "--db", db), extra...)...)
		if r.code != exitUsage {
			t.Errorf("%s: exit %d: %s", name, r.code, r.stderr)
		}
		if _, err := os.Stat(db); err == nil {
			t.Errorf("%s: a database was left: %q", name, dbBytes(t, db))
		}
	}
}
