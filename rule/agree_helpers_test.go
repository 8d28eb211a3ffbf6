package rule_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
)

func decoded(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func exchange(t *testing.T, s *emulator.Server, org, raw string) bool {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": raw,
		"federation_rule_id": "fdrl_1", "organization_id": org})
	req, _ := http.NewRequest("POST", s.URL+"/v1/oauth/token", bytes.NewReader(body))
	req.Header.Set("anthropic-beta", "oauth-2025-04-20,oidc-federation-2026-04-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
