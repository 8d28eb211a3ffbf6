package authentik

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/wif"
)

func target(e *emulator.Emulator, token string) wif.AuthentikTarget {
	return wif.AuthentikTarget{URL: e.URL() + "/", APIToken: token}
}

func TestReadState(t *testing.T) {
	e := startEmulator(t, emulator.WithAPIToken("the-api-token"))
	ec, err := e.AddKeypair(emulator.KeypairSpec{Name: "ec-key", Type: emulator.KeyP384})
	if err != nil {
		t.Fatal(err)
	}
	current := addProvider(t, e, emulator.Provider{Slug: "claude", Name: "Claude", IncludeClaims: true, SigningKey: ec.UUID,
		RedirectURIs: []string{"https://app.example/cb"}})
	legacy := addProvider(t, e, emulator.Provider{Slug: "old", Signing: emulator.SigningEd25519, Encrypted: true, Detached: true,
		LegacyRedirectURIs: true, RedirectURIs: []string{"https://a.example/cb", "", "https://b.example/cb"}})
	c := newClient(t, e.CAPEM())
	ctx := context.Background()

	t.Run("ByClientID", func(t *testing.T) {
		st, err := c.ReadState(ctx, target(e, "the-api-token"), wif.AuthentikLookup{ClientID: current.ClientID, AppSlug: "claude"})
		if err != nil {
			t.Fatal(err)
		}
		p := st.Provider
		if p == nil || st.FoundBy != "client_id" || st.Version != emulator.DefaultVersion {
			t.Fatalf("state %+v", st)
		}
		if p.Name != "Claude" || p.ClientType != "confidential" || p.SubMode != "hashed_user_id" || p.IssuerMode != "per_provider" ||
			p.AccessTokenValidity != "hours=1" || !p.IncludeClaimsInIDToken || p.EncryptionKey.Selected() ||
			p.ApplicationSlug != "claude" || p.PK != int64(current.PK) || p.GrantTypes != nil {
			t.Errorf("provider %+v", p)
		}
		if p.SigningKey != (wif.AuthentikKeyRef{PK: ec.UUID, Name: "ec-key", KeyType: "ec", HasPrivateKey: true}) {
			t.Errorf("signing key %+v", p.SigningKey)
		}
		if !slices.Equal(p.RedirectURIs, []string{"https://app.example/cb"}) {
			t.Errorf("redirect URIs %v", p.RedirectURIs)
		}
		if st.Application == nil || st.Application.ProviderPK != p.PK || st.Application.Slug != "claude" {
			t.Errorf("application %+v", st.Application)
		}
		assertNoSecret(t, st, current.ClientSecret)
	})
	t.Run("LegacyShapeAndUnusableKey", func(t *testing.T) {
		st, err := c.ReadState(ctx, target(e, "the-api-token"), wif.AuthentikLookup{ProviderPK: int64(legacy.PK), AppSlug: "old"})
		if err != nil {
			t.Fatal(err)
		}
		p := st.Provider
		if p == nil || st.FoundBy != "pk" {
			t.Fatalf("state %+v", st)
		}
		if !slices.Equal(p.RedirectURIs, []string{"https://a.example/cb", "https://b.example/cb"}) {
			t.Errorf("redirect URIs %v", p.RedirectURIs)
		}
		if ok, known := p.SigningKey.CanSignJWTs(); ok || !known || p.SigningKey.KeyType != "ed25519" {
			t.Errorf("signing key %+v: want a known ed25519 key that cannot sign", p.SigningKey)
		}
		if !p.EncryptionKey.Selected() || p.ApplicationSlug != "" || st.Application == nil || st.Application.ProviderPK != 0 {
			t.Errorf("encryption %+v application %q / %+v", p.EncryptionKey, p.ApplicationSlug, st.Application)
		}
		assertNoSecret(t, st, legacy.ClientSecret)
	})
	t.Run("StalePKFallsBackToName", func(t *testing.T) {
		st, err := c.ReadState(ctx, target(e, "the-api-token"), wif.AuthentikLookup{ProviderPK: 9999, ProviderName: "Claude"})
		if err != nil || st.Provider == nil || st.FoundBy != "name" || st.Provider.ClientID != current.ClientID {
			t.Fatalf("state %+v err %v", st, err)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		st, err := c.ReadState(ctx, target(e, "the-api-token"), wif.AuthentikLookup{ClientID: "nobody", AppSlug: "nothing"})
		if err != nil || st.Provider != nil || st.Application != nil {
			t.Fatalf("state %+v err %v, want nothing found and no error", st, err)
		}
	})
	t.Run("WrongToken", func(t *testing.T) {
		_, err := c.ReadState(ctx, target(e, "wrong-api-token"), wif.AuthentikLookup{ClientID: current.ClientID})
		if !errors.Is(err, ErrAPITokenRefused) || strings.Contains(err.Error(), "wrong-api-token") || !strings.Contains(err.Error(), "403") {
			t.Errorf("err %v, want ErrAPITokenRefused with the status and without the token", err)
		}
	})
	t.Run("Catalog", func(t *testing.T) {
		st, err := c.ReadState(ctx, target(e, "the-api-token"), wif.AuthentikLookup{Catalog: true})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, k := range st.Keypairs {
			names = append(names, k.Name+":"+k.KeyType)
		}
		if !slices.Contains(names, wif.SelfSignedKeypairName+":rsa") || !slices.Contains(names, "ec-key:ec") {
			t.Errorf("keypairs %v", names)
		}
		var flows []string
		for _, f := range st.Flows {
			flows = append(flows, f.Designation+":"+f.Slug)
		}
		if !slices.Contains(flows, "authorization:"+wif.DefaultAuthorizationFlow) || !slices.Contains(flows, "invalidation:"+wif.DefaultInvalidationFlow) {
			t.Errorf("flows %v", flows)
		}
		var scopes []string
		for _, m := range st.ScopeMappings {
			scopes = append(scopes, m.ScopeName)
		}
		if !slices.Equal(scopes, []string{"openid", "profile"}) {
			t.Errorf("scope mappings %v", scopes)
		}
	})
}

// TestKeyTypeBefore202512: older authentik says private_key_type (rsa, ellipticcurve) instead
// of key_type.
func TestKeyTypeBefore202512(t *testing.T) {
	e := startEmulator(t, emulator.WithVersion("2025.8.6"))
	p := addProvider(t, e, emulator.Provider{Slug: "claude", Signing: emulator.ES256})
	st, err := newClient(t, e.CAPEM()).ReadState(context.Background(), target(e, e.APIToken()), wif.AuthentikLookup{ClientID: p.ClientID})
	if err != nil || st.Provider == nil {
		t.Fatal(st, err)
	}
	if ok, known := st.Provider.SigningKey.CanSignJWTs(); !ok || !known || st.Provider.SigningKey.KeyType != "ec" {
		t.Errorf("signing key %+v", st.Provider.SigningKey)
	}
}

func TestWriteCalls(t *testing.T) {
	e := startEmulator(t, emulator.WithVersion("2026.5.0"))
	c := newClient(t, e.CAPEM())
	ctx := context.Background()
	tg := target(e, e.APIToken())
	flowA, _ := e.FlowPK(wif.DefaultAuthorizationFlow)
	flowI, _ := e.FlowPK(wif.DefaultInvalidationFlow)
	spec := wif.ProviderSpec{Name: "Claude WIF", ClientType: "confidential", SubMode: wif.SubUsername, IssuerMode: wif.IssuerModePerProvider,
		AccessTokenValidity: "minutes=30", SigningKey: e.SelfSigned().UUID, AuthorizationFlow: flowA, InvalidationFlow: flowI,
		GrantTypes: []string{"client_credentials"}}

	p, secret, err := c.CreateProvider(ctx, tg, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 32 || p.PK == 0 || p.ClientID == "" || !slices.Equal(p.GrantTypes, []string{"client_credentials"}) || len(p.RedirectURIs) != 0 {
		t.Fatalf("created %+v (secret %d characters)", p, len(secret))
	}
	assertNoSecret(t, p, secret)
	app, err := c.CreateApplication(ctx, tg, wif.ApplicationSpec{Name: "Claude WIF", Slug: "claude-wif", ProviderPK: p.PK})
	if err != nil || app.ProviderPK != p.PK {
		t.Fatalf("application %+v err %v", app, err)
	}
	// The provider works at once: the emulator's token endpoint serves it.
	got, ok := e.Provider("claude-wif")
	if !ok || got.ClientSecret != secret || got.Detached {
		t.Fatalf("emulator provider %+v", got)
	}
	u, err := c.UpdateProvider(ctx, tg, p.PK, wif.ProviderSpec{SubMode: wif.SubHashedUserID, ClearEncryptionKey: true})
	if err != nil || u.SubMode != wif.SubHashedUserID || u.AccessTokenValidity != "minutes=30" {
		t.Fatalf("updated %+v err %v", u, err)
	}

	t.Run("ReadOnlyToken", func(t *testing.T) {
		_, err := c.UpdateProvider(ctx, target(e, e.ReadOnlyAPIToken()), p.PK, wif.ProviderSpec{SubMode: wif.SubUsername})
		if !errors.Is(err, ErrWriteRefused) || !strings.Contains(err.Error(), "403") || strings.Contains(err.Error(), e.ReadOnlyAPIToken()) {
			t.Errorf("err %v, want ErrWriteRefused with the status and without the token", err)
		}
	})
	t.Run("FieldErrors", func(t *testing.T) {
		_, _, err := c.CreateProvider(ctx, tg, wif.ProviderSpec{Name: "Claude WIF", AuthorizationFlow: flowA, InvalidationFlow: flowI})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != 400 || !strings.Contains(err.Error(), "name: provider with this name already exists") {
			t.Errorf("err %v, want the 400's field errors", err)
		}
	})
	t.Run("Bind", func(t *testing.T) {
		other, _, err := c.CreateProvider(ctx, tg, wif.ProviderSpec{Name: "Other", AuthorizationFlow: flowA, InvalidationFlow: flowI})
		if err != nil {
			t.Fatal(err)
		}
		app, err := c.BindApplication(ctx, tg, "claude-wif", other.PK)
		if err != nil || app.ProviderPK != other.PK {
			t.Fatalf("bound %+v err %v", app, err)
		}
	})
}

func assertNoSecret(t *testing.T, v any, secret string) {
	t.Helper()
	b, _ := json.Marshal(v)
	if s := fmt.Sprintf("%#v", v) + string(b); strings.Contains(s, secret) {
		t.Error("the value retains the client secret")
	}
}

func TestRedirectURIsShapes(t *testing.T) {
	for in, want := range map[string]int{
		`null`: 0, `""`: 0, `"a\nb\n"`: 2, `[]`: 0, `[{"matching_mode":"regex","url":"x"}]`: 1,
	} {
		var r RedirectURIs
		if err := json.Unmarshal([]byte(in), &r); err != nil || len(r) != want {
			t.Errorf("%s: %v %v, want %d URIs", in, r, err, want)
		}
	}
	var r RedirectURIs
	if err := json.Unmarshal([]byte(`42`), &r); err == nil {
		t.Error("a number was accepted as redirect_uris")
	}
}

// TestStatusErrorRedactsEchoedToken: a 400 whose field names and nested messages echo the API
// token (raw, or percent-encoded) keeps the fields' shape, never the token.
func TestStatusErrorRedactsEchoedToken(t *testing.T) {
	const token = "ak-api-token-0123456789abcdef"
	body := `{"` + token + `": ["bad"], "name": {"Bearer ` + token + `": ["x ak-api-token-0123456789abcdef%20"]}}`
	err := statusError(http.MethodPost, "/api/v3/providers/oauth2/", http.StatusBadRequest, []byte(body), token)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || len(apiErr.Fields) != 2 || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("err %v, want both fields", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("err %q holds the token", err)
	}
}
