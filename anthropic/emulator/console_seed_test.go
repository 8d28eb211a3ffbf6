package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
)

// TestSeededObjects: objects added under chosen IDs are what the management API lists and what
// the exchange uses; their fields are validated as a create request's are.
func TestSeededObjects(t *testing.T) {
	s := start(t)
	iss, err := emulator.NewIssuer(consoleIssuerURL, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddServiceAccount("svac_seed01", map[string]any{"name": "Not A Slug"}); err == nil || !strings.Contains(err.Error(), "name") {
		t.Fatalf("a bad name: %v", err)
	}
	if _, err := s.AddServiceAccount("sa-seed", map[string]any{"name": "seed"}); err == nil {
		t.Fatal("an ID without svac_ accepted")
	}
	sa, err := s.AddServiceAccount("svac_seed01", map[string]any{"name": "seed"})
	if err != nil || sa.ID != "svac_seed01" || sa.OrganizationRole != "developer" {
		t.Fatalf("account %+v %v", sa, err)
	}
	if _, err := s.AddServiceAccount("svac_seed01", map[string]any{"name": "seed-2"}); err == nil {
		t.Fatal("an ID taken twice")
	}
	keys, _ := json.Marshal(iss.JWKS().Keys)
	if _, err := s.AddFederationIssuer("fdis_seed01", map[string]any{"name": "seed", "issuer_url": consoleIssuerURL,
		"jwks": map[string]any{"type": "inline", "keys": json.RawMessage(keys)}}); err != nil {
		t.Fatal(err)
	}
	rule := map[string]any{"name": "seed", "issuer_id": "fdis_seed01", "workspace_id": "default", "oauth_scope": "workspace:developer",
		"match":  map[string]any{"subject_prefix": "ak-ci-client_credentials", "audience": "client-1"},
		"target": map[string]any{"type": "service_account", "service_account_id": "svac_missing"}}
	if _, err := s.AddFederationRule("fdrl_seed01", rule); err == nil || !strings.Contains(err.Error(), "svac_missing") {
		t.Fatalf("a rule for a missing account: %v", err)
	}
	rule["target"] = map[string]any{"type": "service_account", "service_account_id": sa.ID}
	r, err := s.AddFederationRule("fdrl_seed01", rule)
	if err != nil || r.ID != "fdrl_seed01" || r.IssuerName != "seed" || r.Target.ServiceAccountName != "seed" {
		t.Fatalf("rule %+v %v", r, err)
	}

	a := newAdmin(t, s)
	if got := a.ok("GET", "/v1/organizations/federation_rules/fdrl_seed01", nil); got.str("issuer_id") != "fdis_seed01" {
		t.Fatalf("read back: %s", got.raw)
	}
	if got := a.ok("GET", "/v1/organizations/federation_issuers", nil); !strings.Contains(got.raw, `"fdis_seed01"`) {
		t.Fatalf("listed: %s", got.raw)
	}
	now := time.Now()
	tok, err := iss.Sign(map[string]any{"iss": consoleIssuerURL, "sub": "ak-ci-client_credentials", "aud": "client-1",
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	ans := post(t, s, "POST", "/v1/oauth/token", true, map[string]string{"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
		"assertion": tok, "federation_rule_id": "fdrl_seed01", "organization_id": s.OrganizationID(), "service_account_id": sa.ID})
	if ans.status != 200 {
		t.Fatalf("exchange through the seeded rule: %d %+v; history %+v", ans.status, ans.Error, s.History())
	}
	if err := s.Archive("fdrl_seed01"); err != nil {
		t.Fatal(err)
	}
	tok, _ = iss.Sign(map[string]any{"iss": consoleIssuerURL, "sub": "ak-ci-client_credentials", "aud": "client-1",
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": "second"})
	ans = post(t, s, "POST", "/v1/oauth/token", true, map[string]string{"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
		"assertion": tok, "federation_rule_id": "fdrl_seed01", "organization_id": s.OrganizationID()})
	if ans.status != 401 {
		t.Fatalf("exchange through the archived seeded rule: %d", ans.status)
	}
}
