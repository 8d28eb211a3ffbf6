// Package testenv is what tests share: stored connections built against the authentik emulator,
// a use-case service wired to real adapters, and the external tools a test may need. Only tests
// import it.
package testenv

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"crypto/tls"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// Console IDs of the right shapes, so that the ids check passes.
const (
	FederationRuleID = "fdrl_01AbCdEfGhIjKlMnOpQrStUv"
	OrganizationID   = "0b9f6a62-3c2e-4c6f-9d1a-5f2b7c8d9e01"
	ServiceAccountID = "svac_01AbCdEfGhIjKlMnOpQrStUv"
)

// Start runs an authentik emulator for the test.
func Start(t testing.TB, opts ...emulator.Option) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(opts...)
	if err != nil {
		t.Fatalf("start the authentik emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

// Provider adds a provider whose sub is its service account's username, so a rule can name it.
func Provider(t testing.TB, emu *emulator.Emulator, slug string) emulator.Provider {
	t.Helper()
	p, err := emu.AddProvider(emulator.Provider{Slug: slug, SubMode: wif.SubUsername})
	if err != nil {
		t.Fatalf("add provider %s: %v", slug, err)
	}
	return p
}

// OpenStore opens a fresh SQLite file in the test's temporary folder.
func OpenStore(t testing.TB) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wifwiz.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// Connection is a connection to p that passes every check the emulator allows: the Console uses
// the provider's current JWKS inline (the emulator is not on port 443, so discovery would fail
// issuer.url), and the secret lives in the environment variable secretEnv.
func Connection(t testing.TB, emu *emulator.Emulator, p emulator.Provider, name, secretEnv string) wif.Connection {
	t.Helper()
	return wif.Connection{
		Name: name, AuthentikURL: emu.URL(), AppSlug: p.Slug, ProviderName: p.Name,
		IssuerURL: emu.IssuerURL(p.Slug), ClientID: p.ClientID, AccessTokenValidity: "hours=1",
		SubjectMode: p.SubMode, SecretRef: "env:" + secretEnv,
		ServiceAccountID: ServiceAccountID, IssuerName: "authentik " + p.Slug,
		JWKSSource: wif.JWKSInline, InlineJWKS: JWKS(t, emu, p.Slug),
		RuleName: name, SubjectPrefix: wif.ServiceAccountUsername(p.Name), Audience: p.ClientID,
		OAuthScope: wif.DefaultOAuthScope, TokenLifetime: time.Hour, MaxIdentityTokenLifetime: time.Hour,
		FederationRuleID: FederationRuleID, OrganizationID: OrganizationID, Step: 6,
	}
}

// Create stores c.
func Create(t testing.TB, db *store.DB, c wif.Connection) wif.Connection {
	t.Helper()
	if err := db.CreateConnection(context.Background(), &c, "test"); err != nil {
		t.Fatalf("create connection %s: %v", c.Name, err)
	}
	return c
}

// JWKS fetches the provider's published JWKS, as an admin copies it into the Console.
func JWKS(t testing.TB, emu *emulator.Emulator, slug string) string {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(emu.CAPEM()) {
		t.Fatal("emulator CA is not PEM")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	body := get(t, client, strings.TrimSuffix(emu.IssuerURL(slug), "/")+"/.well-known/openid-configuration")
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.JWKSURI == "" {
		t.Fatalf("discovery of %s: %v %s", slug, err, body)
	}
	return string(get(t, client, doc.JWKSURI))
}

func get(t testing.TB, c *http.Client, u string) []byte {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return b
}

// Env is a getenv over a map.
func Env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// SecretEnv names the environment variable holding p's secret in these tests.
func SecretEnv(p emulator.Provider) string {
	return fmt.Sprintf("WIFWIZ_SECRET_TEST_%s", strings.ToUpper(strings.ReplaceAll(p.Slug, "-", "_")))
}
