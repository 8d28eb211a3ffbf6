package rule_test

import (
	"context"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
	"github.com/wifwiz/wifwiz/rule"
	"github.com/wifwiz/wifwiz/wif"
)

// TestAgreesWithEmulator: for each match block and token, rule.Match passes exactly when the
// Anthropic emulator (which implements matching on its own) accepts the exchange.
func TestAgreesWithEmulator(t *testing.T) {
	const issuerURL = "https://auth.example.com/application/o/ci/"
	const org = "3f1c2a7e-5b7d-4d2a-9a51-0c8f3e2b1d44"
	iss, err := emulator.NewIssuer(issuerURL, "k1")
	if err != nil {
		t.Fatal(err)
	}
	matches := []wif.RuleMatch{
		{SubjectPrefix: "ak-ci-*", Audience: "client-1"},
		{SubjectPrefix: "ak-ci-client_credentials", Audience: "client-1", Claims: map[string]string{"env": "prod"}},
		{Audience: "client-1", Claims: map[string]string{"env": "prod", "team": "infra"}},
		{Audience: "client-1", Condition: `claims.ctx.repo.startsWith("acme/") && claims.n >= 3`},
		{Audience: "client-1", Condition: `"ops" in claims.groups || claims.env == "staging"`},
		{Audience: "client-1", Claims: map[string]string{"n": "3"}},
	}
	tokens := []map[string]any{
		{"sub": "ak-ci-client_credentials", "aud": "client-1", "env": "prod", "team": "infra", "n": 3, "ctx": map[string]any{"repo": "acme/app"}, "groups": []any{"ops"}},
		{"sub": "ak-ci-other", "aud": []any{"x", "client-1"}, "env": "dev", "n": 2, "ctx": map[string]any{"repo": "acme/app"}, "groups": []any{"dev"}},
		{"sub": "ak-batch", "aud": "client-2", "env": "prod", "ctx": map[string]any{}},
	}
	outcomes := map[bool]int{}
	for mi, m := range matches {
		s, err := emulator.New(emulator.Rule{ID: "fdrl_1", OrganizationID: org, ServiceAccountID: "svac_1", IssuerURL: issuerURL,
			JWKS: iss.JWKS(), SubjectPrefix: m.SubjectPrefix, Audience: m.Audience, Claims: m.Claims, Condition: m.Condition, AllowJTIReuse: true})
		if err != nil {
			t.Fatal(err)
		}
		for ti, claims := range tokens {
			now := time.Now()
			signed := map[string]any{"iss": issuerURL, "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
			for k, v := range claims {
				signed[k] = v
			}
			raw, err := iss.Sign(signed)
			if err != nil {
				t.Fatal(err)
			}
			_, failed := rule.Failed(rule.Match(context.Background(), m, decoded(t, raw)))
			accepted := exchange(t, s, org, raw)
			outcomes[accepted]++
			if accepted == failed {
				t.Errorf("match %d, token %d: rule says pass=%v, emulator accepted=%v (denials %v)", mi, ti, !failed, accepted, s.Denials())
			}
		}
		s.Close()
	}
	if outcomes[true] < 5 || outcomes[false] < 5 {
		t.Errorf("the table should exercise both verdicts: %v", outcomes)
	}
}
