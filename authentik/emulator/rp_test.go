package emulator

import (
	"context"
	"net/http"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// A relying party built from go-oidc and x/oauth2 (what wifwiz's sign-in uses) signs a user in
// against the emulator: discovery, authorization code with PKCE S256, state and nonce, the ID
// token verified for issuer, audience, expiry and signature.
func TestRelyingPartyLogin(t *testing.T) {
	f := newLoginFixture(t)
	_ = f.e.SetAutoLogin("alice")
	ctx := oidc.ClientContext(context.Background(), f.c)
	provider, err := oidc.NewProvider(ctx, f.e.IssuerURL("wifwiz-login"))
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cfg := oauth2.Config{ClientID: f.p.ClientID, ClientSecret: f.p.ClientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: callback, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	pkce := oauth2.GenerateVerifier()
	start := cfg.AuthCodeURL("state-789", oauth2.S256ChallengeOption(pkce), oidc.Nonce("nonce-789"))
	q := redirected(t, get(t, f.c, start))
	if q.Get("state") != "state-789" {
		t.Fatalf("state %q", q.Get("state"))
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: f.p.ClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var claims struct {
		Groups []string `json:"groups"`
		Name   string   `json:"name"`
	}
	if err := idToken.Claims(&claims); err != nil || idToken.Nonce != "nonce-789" || idToken.Subject != "alice" ||
		len(claims.Groups) != 2 || claims.Name != "Alice Admin" {
		t.Errorf("nonce %q sub %q claims %+v %v", idToken.Nonce, idToken.Subject, claims, err)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != "alice" || info.Email != "alice@example.com" {
		t.Errorf("userinfo %+v %v", info, err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "another-audience"}).Verify(ctx, raw); err == nil {
		t.Error("an ID token for another audience verified")
	}

	_, err = cfg.Exchange(ctx, redirected(t, get(t, f.c, start)).Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
	if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != "invalid_grant" || re.Response.StatusCode != http.StatusBadRequest {
		t.Errorf("exchange with another verifier: %v, want invalid_grant", err)
	}
}

// SetLoginAudience misissues the ID token of a login for another audience; go-oidc's verifier
// for the real client ID refuses it, and the client-credentials tokens keep the client ID.
func TestLoginAudienceOverride(t *testing.T) {
	f := newLoginFixture(t)
	_ = f.e.SetAutoLogin("alice")
	if err := f.e.SetLoginAudience("wifwiz-login", "someone-else"); err != nil {
		t.Fatal(err)
	}
	if err := f.e.SetLoginAudience("no-such-app", "x"); err == nil {
		t.Error("an unknown slug was accepted")
	}
	ctx := oidc.ClientContext(context.Background(), f.c)
	provider, err := oidc.NewProvider(ctx, f.e.IssuerURL("wifwiz-login"))
	if err != nil {
		t.Fatal(err)
	}
	a := f.exchange(t, redirected(t, get(t, f.c, f.authorizeURL(nil))).Get("code"), nil)
	raw, _ := a.json(t)["id_token"].(string)
	if _, err := provider.Verifier(&oidc.Config{ClientID: f.p.ClientID}).Verify(ctx, raw); err == nil {
		t.Fatal("an ID token for another audience verified")
	}
	if _, claims := decodeJWT(t, raw); claims["aud"] != "someone-else" {
		t.Fatalf("aud = %v", claims["aud"])
	}
	cc := tokens(t, f.c, f.e.URL(), f.p, "openid")
	if _, claims := decodeJWT(t, cc["access_token"].(string)); claims["aud"] != f.p.ClientID {
		t.Fatalf("client credentials aud = %v, want the client ID", claims["aud"])
	}
}
