package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
)

func get(t *testing.T, url, bearer, beta string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if beta != "" {
		req.Header.Set("anthropic-beta", beta)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, body
}

// TestModelsNeedALiveAccessToken: the API answers only with a token minted here, until it
// expires by the emulator's clock (the rule mints 60 s here).
func TestModelsNeedALiveAccessToken(t *testing.T) {
	iss := newIssuer(t)
	rule := baseRule(iss)
	rule.TokenLifetime = time.Minute
	s := start(t, rule)
	now := time.Now()
	s.SetNow(func() time.Time { return now })
	a := post(t, s, "POST", "/v1/oauth/token", true, body(mint(t, iss)))
	if a.status != 200 {
		t.Fatalf("exchange: %d %+v", a.status, a.Error)
	}
	one := s.URL + "/v1/models/" + emulator.ModelID
	const beta = "oauth-2025-04-20"
	if code, m := get(t, one, a.AccessToken, beta); code != 200 || m["id"] != emulator.ModelID {
		t.Fatalf("GET %s with the minted token: %d %v", one, code, m)
	}
	if code, m := get(t, s.URL+"/v1/models", a.AccessToken, "x,"+beta); code != 200 || len(m["data"].([]any)) != 1 {
		t.Fatalf("list: %d %v", code, m)
	}
	cases := []struct {
		name, url, token, beta string
		status                 int
	}{
		{"no token", one, "", beta, 401},
		{"unknown token", one, "sk-ant-oat01-forged", beta, 401},
		{"no OAuth beta", one, a.AccessToken, "", 400},
		{"unknown model", s.URL + "/v1/models/claude-x", a.AccessToken, beta, 404},
	}
	for _, tc := range cases {
		if code, m := get(t, tc.url, tc.token, tc.beta); code != tc.status || m["type"] != "error" {
			t.Errorf("%s: %d %v, want %d", tc.name, code, m, tc.status)
		}
	}
	now = now.Add(59 * time.Second)
	if code, _ := get(t, one, a.AccessToken, beta); code != 200 {
		t.Errorf("1 s before expiry: %d, want 200", code)
	}
	now = now.Add(time.Second)
	if code, _ := get(t, one, a.AccessToken, beta); code != 401 {
		t.Errorf("at expiry: %d, want 401", code)
	}
	resp, err := http.Post(one, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}
