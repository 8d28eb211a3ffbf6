package workload

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./workload -update", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./workload -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// fullConnection has every setting recorded, discovery JWKS and the default base URL.
func fullConnection() wif.Connection {
	return wif.Connection{
		Name:                     "nightly-batch",
		AuthentikURL:             "https://authentik.company",
		AppSlug:                  "nightly-batch",
		ProviderName:             "nightly-batch",
		IssuerURL:                "https://authentik.company/application/o/nightly-batch/",
		ClientID:                 "Xq3nightlyBatchClient",
		AccessTokenValidity:      "hours=1",
		SubjectMode:              wif.SubUsername,
		TokenField:               wif.TokenFieldAuto,
		SecretRef:                "env:AK_SECRET",
		ServiceAccountID:         "svac_01HNightly",
		IssuerName:               "authentik nightly",
		JWKSSource:               wif.JWKSDiscovery,
		RuleName:                 "nightly-batch",
		SubjectPrefix:            "ak-nightly-batch-client_credentials",
		Audience:                 "Xq3nightlyBatchClient",
		OAuthScope:               wif.DefaultOAuthScope,
		TokenLifetime:            3600 * time.Second,
		MaxIdentityTokenLifetime: 3600 * time.Second,
		FederationRuleID:         "fdrl_01HNightlyRule",
		OrganizationID:           "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
	}
}

// workspaceConnection adds a workspace ID, a custom base URL, inline JWKS, an extra CA and
// non-default authentik settings.
func workspaceConnection() wif.Connection {
	c := fullConnection()
	c.Name = "CI prod (eu)"
	c.AppSlug = "ci-prod"
	c.IssuerURL = "https://auth.example.org/application/o/ci-prod/"
	c.DiscoveryBase = "https://auth-internal.example.org/application/o/ci-prod"
	c.TokenURL = "https://auth-internal.example.org/application/o/token/"
	c.AccessTokenValidity = "minutes=10"
	c.SubjectMode = wif.SubHashedUserID
	c.Scope = "openid"
	c.TokenField = wif.TokenFieldIDToken
	c.CAPEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexample\n-----END CERTIFICATE-----\n"
	c.SecretRef = "file:/etc/wifwiz/ci-prod.secret"
	c.JWKSSource = wif.JWKSInline
	c.InlineJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"AAAA","y":"BBBB"}]}`
	c.SubjectPrefix = "3f7a5c0e9b1d4f2a8c6e0b9d7f5a3c1e2d4b6f8a0c2e4d6b8f0a2c4e6d8b0f2a"
	c.WorkspaceID = "wrkspc_01HCiProd"
	c.AnthropicBaseURL = "https://anthropic-gateway.example.org"
	return c
}

// draftConnection has the authentik side only: no Console IDs yet, no secret reference.
func draftConnection() wif.Connection {
	return wif.Connection{
		Name:         "draft",
		AuthentikURL: "https://authentik.company",
		AppSlug:      "draft",
		ProviderName: "draft",
		IssuerURL:    "https://authentik.company/application/o/draft/",
	}
}

var (
	generatedAt = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	recordedAt  = time.Date(2026, 5, 1, 14, 5, 0, 0, time.UTC)
)

// passingRun has every check pass except a warning on issuer.public and a skipped exchange.
func passingRun() *LastRun {
	var checks []verify.Check
	for _, id := range verify.CheckIDs {
		checks = append(checks, verify.Check{ID: id, Status: verify.Pass})
	}
	checks[2] = verify.Check{ID: verify.CheckIssuerPublic, Status: verify.Warn, Expected: "public addresses",
		Actual: "10.0.0.7", Message: "the issuer host resolves to a private address", Fix: "use inline JWKS"}
	checks[len(checks)-1] = verify.Check{ID: verify.CheckExchange, Status: verify.Skip, Message: "not asked"}
	return &LastRun{At: recordedAt.Add(time.Hour), Trigger: wif.TriggerAudit, OK: true,
		Summary: verify.Summary{Pass: 18, Warn: 1, Skip: 1}, Checks: checks}
}

// failingRun fails on claim.sub and skips what follows a failure.
func failingRun() *LastRun {
	return &LastRun{At: recordedAt, Trigger: wif.TriggerWizard, OK: false,
		Summary: verify.Summary{Pass: 3, Fail: 1, Skip: 1},
		Checks: []verify.Check{
			{ID: verify.CheckIssuerURL, Status: verify.Pass},
			{ID: verify.CheckDiscoveryIssuer, Status: verify.Pass},
			{ID: verify.CheckClaimIss, Status: verify.Pass},
			{ID: verify.CheckClaimSub, Status: verify.Fail, Expected: "ak-nightly-batch-client_credentials",
				Actual: "3f7a5c0e9b1d", Message: "sub | is a hash", Fix: "set the subject prefix to the hash"},
			{ID: verify.CheckLifetime, Status: verify.Skip, Message: "no token"},
		}}
}
