package emulator

import (
	"net/http"
	"testing"
)

func apiGet(t *testing.T, c *http.Client, u, token string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, c, req)
}

func TestAdminAPI(t *testing.T) {
	e := mustStart(t, WithAPIToken("api-token"))
	p := mustAdd(t, e, Provider{Slug: "claude", Name: "Claude", RedirectURIs: []string{"https://app.example/cb"}})
	mustAdd(t, e, Provider{Slug: "legacy", Signing: SigningNone, Detached: true, LegacyRedirectURIs: true,
		RedirectURIs: []string{"https://a.example/cb", "https://b.example/cb"}})
	c := trustingClient(t, e)
	list := e.URL() + "/api/v3/providers/oauth2/?client_id=" + p.ClientID

	t.Run("RefusesWrongToken", func(t *testing.T) {
		for _, token := range []string{"", "wrong"} {
			a := apiGet(t, c, list, token)
			if a.status != http.StatusForbidden || a.json(t)["detail"] == nil {
				t.Errorf("token %q: HTTP %d %s, want 403 with detail", token, a.status, a.body)
			}
		}
	})
	t.Run("ListByClientID", func(t *testing.T) {
		results := apiGet(t, c, list, "api-token").json(t)["results"].([]any)
		if len(results) != 1 {
			t.Fatalf("%d results, want 1", len(results))
		}
		got := results[0].(map[string]any)
		want := map[string]any{
			"name": "Claude", "client_id": p.ClientID, "client_secret": p.ClientSecret, "client_type": "confidential",
			"sub_mode": "hashed_user_id", "issuer_mode": "per_provider", "access_token_validity": "hours=1",
			"assigned_application_slug": "claude", "encryption_key": nil,
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
		if got["signing_key"] == nil {
			t.Error("signing_key is null for a provider with a key")
		}
		uris := got["redirect_uris"].([]any)
		if len(uris) != 1 || uris[0].(map[string]any)["url"] != "https://app.example/cb" {
			t.Errorf("redirect_uris %v", uris)
		}
	})
	t.Run("LegacyShapeAndDetail", func(t *testing.T) {
		got := apiGet(t, c, e.URL()+"/api/v3/providers/oauth2/2/", "api-token").json(t)
		if got["redirect_uris"] != "https://a.example/cb\nhttps://b.example/cb" {
			t.Errorf("redirect_uris %q, want a newline-separated string", got["redirect_uris"])
		}
		if got["signing_key"] != nil || got["assigned_application_slug"] != nil {
			t.Errorf("signing_key %v, assigned_application_slug %v: want null", got["signing_key"], got["assigned_application_slug"])
		}
		if a := apiGet(t, c, e.URL()+"/api/v3/providers/oauth2/99/", "api-token"); a.status != http.StatusNotFound {
			t.Errorf("unknown pk: HTTP %d", a.status)
		}
	})
	t.Run("Application", func(t *testing.T) {
		if got := apiGet(t, c, e.URL()+"/api/v3/core/applications/claude/", "api-token").json(t); got["provider"] != float64(1) {
			t.Errorf("application provider %v, want 1", got["provider"])
		}
		if got := apiGet(t, c, e.URL()+"/api/v3/core/applications/legacy/", "api-token").json(t); got["provider"] != nil {
			t.Errorf("detached application provider %v, want null", got["provider"])
		}
	})
	if n := e.Counts()["api"]; n != 7 {
		t.Errorf("api count %d, want 7", n)
	}
}

func TestAddProviderValidation(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "claude", ClientID: "cid"})
	for name, p := range map[string]Provider{
		"DuplicateSlug":     {Slug: "claude"},
		"DuplicateClientID": {Slug: "other", ClientID: "cid"},
		"BadSlug":           {Slug: "a/b"},
		"BadSigning":        {Slug: "x", Signing: "PS256"},
		"BadValidity":       {Slug: "x", Validity: "fortnights=1"},
		"BadIssuerMode":     {Slug: "x", IssuerMode: "tenant"},
	} {
		if _, err := e.AddProvider(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := e.Update("claude", func(p *Provider) { p.Slug = "renamed" }); err == nil {
		t.Error("Update changed the slug")
	}
}
