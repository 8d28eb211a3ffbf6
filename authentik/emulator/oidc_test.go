package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func TestDiscovery(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "claude", Name: "Claude"})
	c := trustingClient(t, e)

	t.Run("OK", func(t *testing.T) {
		a := get(t, c, e.URL()+"/application/o/claude/.well-known/openid-configuration")
		if a.status != http.StatusOK {
			t.Fatalf("HTTP %d", a.status)
		}
		doc := a.json(t)
		want := map[string]string{
			"issuer":         e.URL() + "/application/o/claude/",
			"token_endpoint": e.URL() + "/application/o/token/",
			"jwks_uri":       e.URL() + "/application/o/claude/jwks/",
		}
		for k, v := range want {
			if doc[k] != v {
				t.Errorf("%s = %v, want %s", k, doc[k], v)
			}
		}
		assertStrings(t, doc["id_token_signing_alg_values_supported"], []string{"RS256"})
		assertStrings(t, doc["token_endpoint_auth_methods_supported"], []string{"client_secret_post", "client_secret_basic"})
		if !slices.Contains(toStrings(doc["grant_types_supported"]), "client_credentials") {
			t.Errorf("grant_types_supported lacks client_credentials: %v", doc["grant_types_supported"])
		}
	})
	t.Run("SlugRedirectsToDiscovery", func(t *testing.T) {
		a := get(t, c, e.URL()+"/application/o/claude/")
		if a.status != http.StatusFound || a.header.Get("Location") != "/application/o/claude/.well-known/openid-configuration" {
			t.Fatalf("HTTP %d Location %q", a.status, a.header.Get("Location"))
		}
	})
	t.Run("UnknownSlug", func(t *testing.T) {
		if a := get(t, c, e.URL()+"/application/o/nope/.well-known/openid-configuration"); a.status != http.StatusNotFound {
			t.Fatalf("HTTP %d, want 404", a.status)
		}
	})
	t.Run("ForwardedProto", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, e.URL()+"/application/o/claude/.well-known/openid-configuration", nil)
		req.Header.Set("X-Forwarded-Proto", "http")
		if iss := do(t, c, req).json(t)["issuer"]; iss != "http://"+e.URL()[len("https://"):]+"/application/o/claude/" {
			t.Fatalf("issuer %v does not follow X-Forwarded-Proto", iss)
		}
	})
}

func TestDetachedProviderIsNotFoundThroughItsApplication(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "claude", Detached: true})
	c := trustingClient(t, e)
	for _, path := range []string{"/.well-known/openid-configuration", "/jwks/", "/"} {
		if a := get(t, c, e.URL()+"/application/o/claude"+path); a.status != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404", path, a.status)
		}
	}
}

func TestGlobalIssuer(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude", IssuerMode: IssuerGlobal})
	c := trustingClient(t, e)
	doc := get(t, c, e.URL()+"/application/o/claude/.well-known/openid-configuration").json(t)
	if doc["issuer"] != e.URL()+"/" {
		t.Errorf("discovery issuer %v, want %s/", doc["issuer"], e.URL())
	}
	_, claims := decodeJWT(t, tokens(t, c, e.URL(), p, "openid")["id_token"].(string))
	if claims["iss"] != e.URL()+"/" {
		t.Errorf("iss %v, want %s/", claims["iss"], e.URL())
	}
}

func TestIssFollowsHost(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude"})
	c := trustingClient(t, e)
	for _, base := range []string{e.URL(), e.IPURL()} {
		_, claims := decodeJWT(t, tokens(t, c, base, p, "openid")["id_token"].(string))
		if claims["iss"] != base+"/application/o/claude/" {
			t.Errorf("via %s: iss %v", base, claims["iss"])
		}
	}
	if e.URL() == e.IPURL() {
		t.Fatal("URL and IPURL must name the server differently")
	}
}

func TestJWKS(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "rsa"})
	mustAdd(t, e, Provider{Slug: "enc", Signing: ES256, Encrypted: true})
	c := trustingClient(t, e)

	t.Run("SigningKey", func(t *testing.T) {
		set := fetchJWKS(t, c, e.URL()+"/application/o/rsa/jwks/")
		if len(set.Keys) != 1 || set.Keys[0].KeyID != e.KeyID("rsa") || set.Keys[0].Use != "sig" || !set.Keys[0].IsPublic() {
			t.Fatalf("JWKS %+v, want the public signing key %s", set.Keys, e.KeyID("rsa"))
		}
	})
	t.Run("WithEncryptionKey", func(t *testing.T) {
		set := fetchJWKS(t, c, e.URL()+"/application/o/enc/jwks/")
		var uses []string
		for _, k := range set.Keys {
			uses = append(uses, k.Use+":"+k.Algorithm)
		}
		assertStrings(t, toAny(uses), []string{"sig:ES256", "enc:RSA-OAEP-256"})
	})
}

func TestRotateKey(t *testing.T) {
	e := mustStart(t)
	p := mustAdd(t, e, Provider{Slug: "claude"})
	c := trustingClient(t, e)
	before := e.KeyID("claude")
	if err := e.RotateKey("claude"); err != nil {
		t.Fatal(err)
	}
	after := e.KeyID("claude")
	if after == before || after == "" {
		t.Fatalf("kid %q -> %q: want a new one", before, after)
	}
	set := fetchJWKS(t, c, e.URL()+"/application/o/claude/jwks/")
	if len(set.Keys) != 1 || set.Keys[0].KeyID != after {
		t.Fatalf("JWKS after rotation serves %+v, want only %s", set.Keys, after)
	}
	header, _ := decodeJWT(t, tokens(t, c, e.URL(), p, "openid")["id_token"].(string))
	if header["kid"] != after {
		t.Errorf("token kid %v, want %s", header["kid"], after)
	}
	if err := e.Update("claude", func(p *Provider) { p.Signing = SigningNone }); err != nil {
		t.Fatal(err)
	}
	if err := e.RotateKey("claude"); err == nil {
		t.Error("RotateKey without a signing key: want an error")
	}
}

func TestLatency(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "claude"})
	c := trustingClient(t, e)
	discovery := e.URL() + "/application/o/claude/.well-known/openid-configuration"

	e.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, discovery, nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with an hour of latency: err %v, want the deadline to pass first", err)
	}
	if n := e.Counts()["discovery"]; n != 1 {
		t.Errorf("discovery count %d, want 1", n)
	}

	e.SetLatency(0)
	if a := get(t, c, discovery); a.status != http.StatusOK {
		t.Fatalf("without latency: HTTP %d", a.status)
	}
}

func TestMaxInFlight(t *testing.T) {
	e := mustStart(t, WithLatency(time.Hour))
	c := trustingClient(t, e)
	ctx, cancel := context.WithCancel(context.Background())
	const n = 5
	done := make(chan error, n)
	for range n {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.URL()+"/application/o/x/jwks/", nil)
			_, err := c.Do(req)
			done <- err
		}()
	}
	waitFor(t, func() bool { return e.Counts()["jwks"] == n })
	if got := e.MaxInFlight(); got != n {
		t.Errorf("MaxInFlight %d, want %d", got, n)
	}
	cancel()
	for range n {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("request ended with %v, want context.Canceled", err)
		}
	}
}

func TestDown(t *testing.T) {
	e := mustStart(t)
	mustAdd(t, e, Provider{Slug: "claude"})
	c := trustingClient(t, e)
	u := e.URL() + "/application/o/claude/jwks/"
	e.SetDown(true)
	if a := get(t, c, u); a.status != http.StatusServiceUnavailable {
		t.Errorf("down: HTTP %d, want 503", a.status)
	}
	e.SetDown(false)
	if a := get(t, c, u); a.status != http.StatusOK {
		t.Errorf("up again: HTTP %d, want 200", a.status)
	}
}

func TestUntrustingClientFailsTLS(t *testing.T) {
	e := mustStart(t)
	_, err := http.Get(e.URL() + "/application/o/x/jwks/")
	if err == nil {
		t.Fatal("a client without the emulator's CA connected")
	}
	if e.Counts()["jwks"] != 0 {
		t.Error("the request reached a handler despite the TLS failure")
	}
}

func fetchJWKS(t *testing.T, c *http.Client, u string) jose.JSONWebKeySet {
	t.Helper()
	a := get(t, c, u)
	if a.status != http.StatusOK {
		t.Fatalf("JWKS: HTTP %d", a.status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(a.body, &set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	return set
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func toAny(list []string) any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func assertStrings(t *testing.T, got any, want []string) {
	t.Helper()
	if !slices.Equal(toStrings(got), want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
