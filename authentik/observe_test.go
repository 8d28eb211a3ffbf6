package authentik

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/verify"
)

func TestObserve(t *testing.T) {
	e := startEmulator(t)
	p := addProvider(t, e, emulatorProvider())
	c, err := NewClient(Options{CAPEM: e.CAPEM(), Resolver: fakeResolver{"localhost": {"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		obs := c.Observe(context.Background(), discoveryRequest(e, p), nil)
		if obs.Discovery.Status != http.StatusOK || obs.Discovery.URL != e.IssuerURL("claude")+".well-known/openid-configuration" {
			t.Fatalf("discovery %s: HTTP %d %s", obs.Discovery.URL, obs.Discovery.Status, obs.Discovery.Err)
		}
		if obs.JWKS == nil || obs.JWKS.Status != http.StatusOK || !strings.Contains(string(obs.JWKS.Body), e.KeyID("claude")) {
			t.Fatalf("JWKS %+v, want the emulator's key", obs.JWKS)
		}
		token := tokenBody(t, obs.Token)
		if token["scope"] != "openid profile" || token["id_token"] == "" {
			t.Errorf("token response %v", token)
		}
		if !slices.Equal(obs.IssuerAddrs, []string{"127.0.0.1"}) || obs.ResolveErr != "" {
			t.Errorf("resolution %v %q", obs.IssuerAddrs, obs.ResolveErr)
		}
	})
	t.Run("NoSecretNoToken", func(t *testing.T) {
		req := discoveryRequest(e, p)
		req.ClientSecret = ""
		e.ResetCounts()
		obs := c.Observe(context.Background(), req, nil)
		if obs.Token != nil || obs.JWKS == nil {
			t.Errorf("token %v, JWKS %v: want no token request, a JWKS", obs.Token, obs.JWKS)
		}
		if n := e.Counts()["token"]; n != 0 {
			t.Errorf("%d token requests without a secret", n)
		}
	})
	t.Run("UnresolvableHost", func(t *testing.T) {
		req := discoveryRequest(e, p)
		req.IssuerURL = "https://authentik.invalid/application/o/claude/"
		req.DiscoveryBase = strings.TrimSuffix(e.IssuerURL("claude"), "/")
		obs := c.Observe(context.Background(), req, nil)
		if obs.IssuerAddrs != nil || !strings.Contains(obs.ResolveErr, "authentik.invalid") {
			t.Errorf("resolution %v %q, want the lookup error", obs.IssuerAddrs, obs.ResolveErr)
		}
		if obs.Discovery.Status != http.StatusOK {
			t.Errorf("discovery through DiscoveryBase: HTTP %d", obs.Discovery.Status)
		}
	})
	t.Run("IPLiteralIsNotLookedUp", func(t *testing.T) {
		req := discoveryRequest(e, p)
		req.IssuerURL = e.IPURL() + "/application/o/claude/"
		if obs := c.Observe(context.Background(), req, nil); !slices.Equal(obs.IssuerAddrs, []string{"127.0.0.1"}) {
			t.Errorf("addresses %v", obs.IssuerAddrs)
		}
	})
}

func TestObserveDiscoveryFails(t *testing.T) {
	e := startEmulator(t)
	p := addProvider(t, e, emulator.Provider{Slug: "claude", Detached: true})
	c := newClient(t, e.CAPEM())
	req := discoveryRequest(e, p)

	// A detached provider has no discovery (404), but its token problem is still seen: the
	// token is requested from authentik's conventional endpoint anyway.
	obs := c.Observe(context.Background(), req, nil)
	if obs.Discovery.Status != http.StatusNotFound || obs.JWKS != nil {
		t.Fatalf("discovery HTTP %d, JWKS %v: want 404 and no unconfirmed JWKS", obs.Discovery.Status, obs.JWKS)
	}
	if obs.Token == nil || obs.Token.URL != e.URL()+"/application/o/token/" || !strings.Contains(string(obs.Token.Body), "invalid_grant") {
		t.Fatalf("token %s, want authentik's invalid_grant for an unattached provider from the conventional endpoint", describeToken(obs.Token))
	}

	req.TokenURL = e.URL() + "/application/o/token/"
	obs = c.Observe(context.Background(), req, nil)
	if obs.Token == nil || obs.Token.Status != http.StatusBadRequest || !strings.Contains(string(obs.Token.Body), "invalid_grant") {
		t.Fatalf("with a token URL override: token %+v, want authentik's invalid_grant for an unattached provider", obs.Token)
	}
}

// TestObserveTwoRoundTrips proves the concurrency with handlers that each wait for the other
// request to arrive: run one after the other, they would time out.
func TestObserveTwoRoundTrips(t *testing.T) {
	arrived := map[string]chan struct{}{"jwks": make(chan struct{}), "token": make(chan struct{})}
	meet := func(self, other string) {
		close(arrived[self])
		select {
		case <-arrived[other]:
		case <-time.After(5 * time.Second):
			t.Errorf("%s waited 5 s for %s: the requests were not concurrent", self, other)
		}
	}
	var base string
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/o/x/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"jwks_uri": base + "/o/x/jwks/", "token_endpoint": base + "/token/"})
		case "/o/x/jwks/":
			meet("jwks", "token")
			_, _ = w.Write([]byte(`{"keys":[]}`))
		case "/token/":
			meet("token", "jwks")
			_, _ = w.Write([]byte(`{"access_token":"a"}`))
		}
	}))
	base = srv.URL
	obs := newClient(t, caPEM).Observe(context.Background(), Request{IssuerURL: srv.URL + "/o/x/", ClientSecret: "s"}, nil)
	if obs.JWKS == nil || obs.JWKS.Status != http.StatusOK || obs.Token == nil || obs.Token.Status != http.StatusOK {
		t.Fatalf("JWKS %+v, token %+v", obs.JWKS, obs.Token)
	}
}

func TestObserveOverrideStartsTokenWithDiscovery(t *testing.T) {
	discoveryIn, tokenIn := make(chan struct{}), make(chan struct{})
	wait := func(ch chan struct{}, what string) {
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Errorf("waited 5 s for the %s request: not concurrent", what)
		}
	}
	srv, caPEM := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/o/x/.well-known/openid-configuration":
			close(discoveryIn)
			wait(tokenIn, "token")
			_, _ = w.Write([]byte(`{}`))
		case "/override/":
			close(tokenIn)
			wait(discoveryIn, "discovery")
			_, _ = w.Write([]byte(`{"access_token":"a"}`))
		}
	}))
	req := Request{IssuerURL: srv.URL + "/o/x/", TokenURL: srv.URL + "/override/", ClientSecret: "s"}
	obs := newClient(t, caPEM).Observe(context.Background(), req, nil)
	if obs.Token == nil || obs.Token.Status != http.StatusOK || obs.JWKS != nil {
		t.Fatalf("token %+v, JWKS %+v", obs.Token, obs.JWKS)
	}
}

func TestIssuerCache(t *testing.T) {
	e := startEmulator(t, emulator.WithLatency(5*time.Millisecond))
	p := addProvider(t, e, emulatorProvider())
	resolver := &countingResolver{}
	c, err := NewClient(Options{CAPEM: e.CAPEM(), Resolver: resolver})
	if err != nil {
		t.Fatal(err)
	}
	var (
		cache IssuerCache
		wg    sync.WaitGroup
		obs   = make([]verify.Observation, 50)
	)
	for i := range obs {
		wg.Go(func() { obs[i] = c.Observe(context.Background(), discoveryRequest(e, p), &cache) })
	}
	wg.Wait()
	got := e.Counts()
	if got["discovery"] != 1 || got["jwks"] != 1 || got["token"] != 50 {
		t.Errorf("counts %v, want 1 discovery, 1 jwks, 50 token", got)
	}
	if resolver.calls != 1 {
		t.Errorf("%d lookups, want 1", resolver.calls)
	}
	for i, o := range obs {
		if o.Discovery.Status != http.StatusOK || o.JWKS == nil || o.JWKS.Status != http.StatusOK || o.Token == nil || o.Token.Status != http.StatusOK {
			t.Fatalf("observation %d incomplete: discovery %d, JWKS %v, token %v", i, o.Discovery.Status, o.JWKS, o.Token)
		}
	}

	other, err := NewClient(Options{CAPEM: e.CAPEM(), Resolver: resolver})
	if err != nil {
		t.Fatal(err)
	}
	other.Observe(context.Background(), discoveryRequest(e, p), &cache)
	if n := e.Counts()["discovery"]; n != 2 {
		t.Errorf("another client (maybe another CA) shared the cached discovery: %d fetches, want 2", n)
	}
}

func TestIssuerCacheWaiterCancelled(t *testing.T) {
	e := startEmulator(t, emulator.WithLatency(time.Hour))
	p := addProvider(t, e, emulatorProvider())
	c := newClient(t, e.CAPEM())
	var cache IssuerCache
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan verify.Observation)
	go func() { done <- c.Observe(ctx, discoveryRequest(e, p), &cache) }()
	waitUntil(t, func() bool { return e.Counts()["discovery"] == 1 })
	cancel()
	obs := <-done
	if obs.Discovery.Err != "cancelled" {
		t.Errorf("discovery err %q, want cancelled", obs.Discovery.Err)
	}
	e.SetLatency(0) // the detached fetch is still waiting out the hour; Close cuts it
}

func tokenBody(t *testing.T, tr *verify.TokenResponse) map[string]any {
	t.Helper()
	if tr == nil || tr.Err != "" || tr.Status != http.StatusOK {
		t.Fatalf("token response %s", describeToken(tr))
	}
	var m map[string]any
	if err := json.Unmarshal(tr.Body, &m); err != nil {
		t.Fatalf("token body: %v", err)
	}
	return m
}

func describeToken(tr *verify.TokenResponse) string {
	if tr == nil {
		return "nil"
	}
	return fmt.Sprintf("HTTP %d err %q", tr.Status, tr.Err)
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestObserveProgress(t *testing.T) {
	e := startEmulator(t)
	p := addProvider(t, e, emulatorProvider())
	var (
		mu    sync.Mutex
		steps = map[string]StepResult{}
	)
	req := discoveryRequest(e, p)
	req.Progress = func(r StepResult) {
		mu.Lock()
		defer mu.Unlock()
		steps[r.Step] = r
	}
	newClient(t, e.CAPEM()).Observe(context.Background(), req, nil)
	for step, ok := range map[string]bool{StepDiscovery: true, StepJWKS: true, StepToken: true, StepResolve: false} {
		r, told := steps[step]
		if !told || r.OK != ok || r.Detail == "" {
			t.Errorf("%s: %+v (told %v), want OK=%v with a detail", step, r, told, ok)
		}
	}
	if d := steps[StepToken].Detail; d != "HTTP 200" {
		t.Errorf("token detail %q", d)
	}
}
