package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The generic issuer mode has Dex's shapes (dexidp/dex server: discovery at
// <issuer>/.well-known/openid-configuration, keys at <issuer>/keys, token at <issuer>/token;
// client authentication failures are invalid_client with 401 whether the client is unknown or
// the secret wrong; the token response has no scope member; an id_token only with openid).
func TestGenericIssuer(t *testing.T) {
	e := mustStart(t, WithGenericIssuer())
	p := mustAdd(t, e, Provider{Slug: "dex", Name: "wifwiz"})
	c := trustingClient(t, e)
	issuer := e.IPURL() + "/dex"
	if e.IssuerURL("dex") != e.URL()+"/dex" {
		t.Errorf("IssuerURL %q", e.IssuerURL("dex"))
	}

	doc := get(t, c, issuer+"/.well-known/openid-configuration")
	if doc.status != http.StatusOK {
		t.Fatalf("discovery: HTTP %d", doc.status)
	}
	d := doc.json(t)
	if d["issuer"] != issuer || d["token_endpoint"] != issuer+"/token" || d["jwks_uri"] != issuer+"/keys" {
		t.Errorf("discovery %v", d)
	}
	if doc.header.Get("X-authentik-id") != "" {
		t.Error("a generic issuer sends X-authentik-id")
	}
	for _, path := range []string{"/application/o/dex/.well-known/openid-configuration", "/dex/"} {
		if a := get(t, c, e.IPURL()+path); a.status != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404 (no authentik-shaped paths)", path, a.status)
		}
	}

	keys := get(t, c, issuer+"/keys")
	if strings.Contains(string(keys.body), "x5c") || keys.header.Get("Cache-Control") == "" {
		t.Errorf("keys %s (Cache-Control %q): Dex publishes no certificates and lets keys be cached", keys.body, keys.header.Get("Cache-Control"))
	}

	t.Run("Token", func(t *testing.T) {
		a := postForm(t, c, issuer+"/token", credentials(p, "openid profile"))
		if a.status != http.StatusOK {
			t.Fatalf("HTTP %d %s", a.status, a.body)
		}
		body := a.json(t)
		if _, has := body["scope"]; has || body["token_type"] != "bearer" || body["expires_in"] != float64(3600) {
			t.Errorf("response %v: want no scope member, token_type bearer", body)
		}
		header, claims := verify(t, body["id_token"].(string), fetchJWKS(t, c, issuer+"/keys"))
		wantSub := base64.RawURLEncoding.EncodeToString(append([]byte{0x0a, byte(len(p.ClientID))}, p.ClientID...))
		if claims["iss"] != issuer || claims["aud"] != p.ClientID || claims["sub"] != wantSub || claims["preferred_username"] != "wifwiz" {
			t.Errorf("claims %v, want iss %s and Dex's encoded sub %s", claims, issuer, wantSub)
		}
		if _, has := claims["jti"]; has || header["kid"] == nil {
			t.Errorf("header %v claims %v", header, claims)
		}
		if a.header.Get("X-authentik-id") != "" {
			t.Error("X-authentik-id on a generic token response")
		}
	})
	t.Run("NoOpenIDNoIDToken", func(t *testing.T) {
		if body := postForm(t, c, issuer+"/token", credentials(p, "profile")).json(t); body["id_token"] != nil || body["access_token"] == nil {
			t.Errorf("without openid: %v", body)
		}
	})
	t.Run("BasicAuth", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, issuer+"/token", strings.NewReader("grant_type=client_credentials&scope=openid"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(p.ClientID), url.QueryEscape(p.ClientSecret))
		if a := do(t, c, req); a.status != http.StatusOK {
			t.Errorf("Basic: HTTP %d %s", a.status, a.body)
		}
	})
	wrongSecret := credentials(p, "openid")
	wrongSecret.Set("client_secret", "wrong")
	unknown := credentials(p, "openid")
	unknown.Set("client_id", "nobody")
	for name, form := range map[string]url.Values{"WrongSecret": wrongSecret, "UnknownClient": unknown} {
		t.Run(name, func(t *testing.T) {
			a := postForm(t, c, issuer+"/token", form)
			body := a.json(t)
			if a.status != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Fatalf("HTTP %d %s, want 401 invalid_client", a.status, a.body)
			}
			if _, has := body["request_id"]; has {
				t.Error("a generic issuer's error has a request_id")
			}
		})
	}
	if n := e.Counts(); n["discovery"] != 2 || n["jwks"] != 2 || n["token"] != 5 {
		t.Errorf("counts %v", n)
	}
}
