package authentik

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/authentik/emulator"
)

func TestReadProvider(t *testing.T) {
	e := startEmulator(t, emulator.WithAPIToken("the-api-token"))
	current := addProvider(t, e, emulator.Provider{Slug: "claude", Name: "Claude", IncludeClaims: true,
		RedirectURIs: []string{"https://app.example/cb"}})
	legacy := addProvider(t, e, emulator.Provider{Slug: "old", Signing: emulator.SigningNone, Encrypted: true, Detached: true,
		LegacyRedirectURIs: true, RedirectURIs: []string{"https://a.example/cb", "", "https://b.example/cb"}})
	c := newClient(t, e.CAPEM())

	t.Run("CurrentShape", func(t *testing.T) {
		p, err := c.ReadProvider(context.Background(), e.URL()+"/", "the-api-token", current.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "Claude" || p.ClientType != "confidential" || p.SubMode != "hashed_user_id" || p.IssuerMode != "per_provider" ||
			p.AccessTokenValidity != "hours=1" || !p.IncludeClaimsInIDToken || p.SigningKey == "" || p.EncryptionKey != "" ||
			p.AssignedApplicationSlug != "claude" {
			t.Errorf("provider %+v", p)
		}
		if len(p.RedirectURIs) != 1 || p.RedirectURIs[0] != (RedirectURI{MatchingMode: "strict", URL: "https://app.example/cb"}) {
			t.Errorf("redirect URIs %+v", p.RedirectURIs)
		}
		assertNoSecret(t, p, current.ClientSecret)
	})
	t.Run("LegacyShape", func(t *testing.T) {
		p, err := c.ReadProvider(context.Background(), e.URL(), "the-api-token", legacy.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, r := range p.RedirectURIs {
			urls = append(urls, r.URL)
		}
		if !slices.Equal(urls, []string{"https://a.example/cb", "https://b.example/cb"}) {
			t.Errorf("redirect URIs %v", urls)
		}
		if p.SigningKey != "" || p.EncryptionKey == "" || p.AssignedApplicationSlug != "" {
			t.Errorf("signing %q encryption %q application %q", p.SigningKey, p.EncryptionKey, p.AssignedApplicationSlug)
		}
		assertNoSecret(t, p, legacy.ClientSecret)
	})
	t.Run("WrongToken", func(t *testing.T) {
		_, err := c.ReadProvider(context.Background(), e.URL(), "wrong-api-token", current.ClientID)
		if !errors.Is(err, ErrAPITokenRefused) || strings.Contains(err.Error(), "wrong-api-token") || !strings.Contains(err.Error(), "403") {
			t.Errorf("err %v, want ErrAPITokenRefused with the status and without the token", err)
		}
	})
	t.Run("UnknownClientID", func(t *testing.T) {
		if _, err := c.ReadProvider(context.Background(), e.URL(), "the-api-token", "nobody"); !errors.Is(err, ErrProviderNotFound) {
			t.Errorf("err %v, want ErrProviderNotFound", err)
		}
	})
}

func assertNoSecret(t *testing.T, p Provider, secret string) {
	t.Helper()
	b, _ := json.Marshal(p)
	if s := fmt.Sprintf("%#v", p) + string(b); strings.Contains(s, secret) {
		t.Error("the provider retains the client secret")
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
