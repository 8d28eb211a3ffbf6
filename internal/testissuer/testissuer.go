// Package testissuer starts an OIDC issuer nobody on this project wrote — node-oidc-provider,
// from testdata/oidcprovider — for tests that must hold against an issuer other than authentik
// and wifwiz's own emulator. Only tests import it.
//
// The issuer serves the client credentials grant with JWT access tokens (no id_token, no scope
// member unless a resource scope is asked for, invalid_client with HTTP 401 for a wrong secret
// and an unknown client alike, no request_id) below a path without a trailing slash, on
// 127.0.0.1 over TLS with a CA made for the test.
//
// It needs node and `npm ci` in testdata/oidcprovider: without them a test skips, and fails when
// CI is set.
package testissuer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Options say which issuer to start; the zero value is usable.
type Options struct {
	// Host is the name in the issuer URL (default "localhost"); the certificate covers it,
	// "localhost" and 127.0.0.1.
	Host string
	// Path is the issuer's path, without a trailing slash (default "/dex").
	Path string
	// DefaultPort leaves the port out of the issuer URL (https://<Host><Path>, port 443 as
	// Anthropic requires): the server still listens on a random loopback port, so clients must
	// dial through Dial.
	DefaultPort bool
	// Alg is the access tokens' signature algorithm, RS256 (default) or ES256. Both an RSA and
	// an EC key are published.
	Alg string
	// TTL is the access tokens' lifetime (default one hour).
	TTL time.Duration
}

// Issuer is a running node-oidc-provider.
type Issuer struct {
	URL          string // the issuer identifier, as it puts it in iss
	Addr         string // 127.0.0.1:port it listens on
	CAPEM        []byte // the CA that signed its certificate
	ClientID     string
	ClientSecret string
	Audience     string // the access tokens' aud
	Scope        string // the one scope the client may ask for
	// CodeOnlyClientID may not use the client credentials grant (its secret is ClientSecret):
	// the issuer answers unauthorized_client.
	CodeOnlyClientID string

	control string
}

// Start runs the issuer until the test ends.
func Start(t testing.TB, o Options) *Issuer {
	t.Helper()
	node, dir := prerequisites(t)
	o = withDefaults(o)
	tmp := t.TempDir()
	ca, certFile, keyFile := writeCertificates(t, tmp, o.Host)
	iss := &Issuer{CAPEM: ca, ClientID: "ci-client", ClientSecret: "ci-secret-" + randomHex(t, 12),
		Audience: "https://api.example.test/", Scope: "api:read", CodeOnlyClientID: "code-only-client", control: randomHex(t, 16)}
	issuerURL := "https://" + o.Host + ":{port}" + o.Path
	if o.DefaultPort {
		issuerURL = "https://" + o.Host + o.Path
	}
	cfg := map[string]any{
		"issuer": issuerURL, "mount": o.Path, "audience": iss.Audience, "scope": iss.Scope,
		"ttl": int(o.TTL / time.Second), "alg": o.Alg, "control": iss.control,
		"clients": []map[string]any{{"client_id": iss.ClientID, "client_secret": iss.ClientSecret},
			{"client_id": iss.CodeOnlyClientID, "client_secret": iss.ClientSecret, "code_only": true}},
		"tls": map[string]string{"cert": certFile, "key": keyFile},
	}
	cfgFile := filepath.Join(tmp, "config.json")
	writeJSON(t, cfgFile, cfg)
	iss.URL, iss.Addr = run(t, node, dir, "server.mjs", cfgFile)
	return iss
}

func withDefaults(o Options) Options {
	if o.Host == "" {
		o.Host = "localhost"
	}
	if o.Path == "" {
		o.Path = "/dex"
	}
	if o.Alg == "" {
		o.Alg = "RS256"
	}
	if o.TTL == 0 {
		o.TTL = time.Hour
	}
	return o
}

// prerequisites finds node and the installed harness, skipping (or failing in CI) without them.
func prerequisites(t testing.TB) (node, dir string) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	dir = filepath.Join(filepath.Dir(self), "testdata", "oidcprovider")
	missing := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf("testissuer: "+format, args...)
		}
		t.Skipf("testissuer: "+format, args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		missing("oidc-provider is not installed: run `npm ci` in %s", dir)
	}
	return node, dir
}

// run starts node on script and waits for the line that says where it listens.
func run(t testing.TB, node, dir, script, cfgFile string) (issuerURL, addr string) {
	t.Helper()
	cmd := exec.Command(node, script, cfgFile)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("testissuer: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("testissuer: start node: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan struct {
		Port   int    `json:"port"`
		Issuer string `json:"issuer"`
	}, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			var r struct {
				Port   int    `json:"port"`
				Issuer string `json:"issuer"`
			}
			if json.Unmarshal(sc.Bytes(), &r) == nil {
				ready <- r
			}
		}
		close(ready)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case r, ok := <-ready:
		if !ok {
			t.Fatalf("testissuer: node exited before listening: %s", stderr.String())
		}
		return r.Issuer, fmt.Sprintf("127.0.0.1:%d", r.Port)
	case <-time.After(60 * time.Second):
		t.Fatalf("testissuer: node did not listen within 60 s: %s", stderr.String())
	}
	return "", ""
}

// Dial connects to the issuer whatever address is asked for: with DefaultPort, the issuer's
// name on port 443 reaches the loopback server.
func (i *Issuer) Dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, i.Addr)
}

// Rotate publishes a new signing key and signs with it from now on, as Dex does; the old key
// stays published. It returns the new kid.
func (i *Issuer) Rotate(t testing.TB) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "https://"+i.Addr+"/_wifwiz/rotate", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Control", i.control)
	resp, err := i.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("testissuer: rotate: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Kid string `json:"kid"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("testissuer: rotate: HTTP %d", resp.StatusCode)
	}
	return out.Kid
}

// HTTPClient trusts the issuer's CA and dials it whatever the URL's host.
func (i *Issuer) HTTPClient() *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(i.CAPEM)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.DialContext = i.Dial
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// writeCertificates makes a CA and a server certificate for host, localhost and 127.0.0.1.
func writeCertificates(t testing.TB, dir, host string) (caPEM []byte, certFile, keyFile string) {
	t.Helper()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "testissuer CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key := newKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: dnsNames(host), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeFile(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), certFile, keyFile
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func dnsNames(host string) []string {
	if host == "localhost" {
		return []string{host}
	}
	return []string{host, "localhost"}
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

func writeJSON(t testing.TB, path string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
}

func writeFile(t testing.TB, path string, b []byte) {
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
