package refresh_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic"
	"github.com/wifwiz/wifwiz/anthropic/emulator"
	"github.com/wifwiz/wifwiz/refresh"
)

// TestRefresherKeepsExchangesWorking runs the refresher on real time with 3-second identity
// tokens while a workload loop, like an SDK re-reading ANTHROPIC_IDENTITY_TOKEN_FILE, reads the
// file and exchanges each new token with the Anthropic emulator, over several token lifetimes.
func TestRefresherKeepsExchangesWorking(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for about 10 s")
	}
	const (
		issuerURL = "https://auth.example.com/application/o/claude/"
		sub       = "ak-claude-client_credentials"
		aud       = "client-abc"
		lifetime  = 3 * time.Second
		lifetimes = 3
	)
	issuer, err := emulator.NewIssuer(issuerURL, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Rule{
		ID: "fdrl_01e2e", OrganizationID: "3f1c2a7e-5b7d-4d2a-9a51-0c8f3e2b1d44", ServiceAccountID: "svac_01e2e",
		IssuerURL: issuerURL, JWKS: issuer.JWKS(), SubjectPrefix: sub, Audience: aud,
		MaxIdentityTokenLifetime: lifetime,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	client, err := anthropic.NewClient(anthropic.Options{BaseURL: emu.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	logger, logs := newLogger()
	var mu sync.Mutex
	var minted []string
	src := refresh.SourceFunc(func(context.Context) (refresh.Token, error) {
		raw, err := issuer.Mint(sub, aud, time.Now(), lifetime)
		if err != nil {
			return refresh.Token{}, err
		}
		mu.Lock()
		minted = append(minted, raw)
		mu.Unlock()
		return refresh.TokenFromJWT(raw)
	})
	out := filepath.Join(t.TempDir(), "identity-token")
	r := &refresh.Refresher{Source: src, Out: out, RefreshAt: 0.5, MinBeforeExpiry: time.Second, Logger: logger}

	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- r.Run(ctx) }()

	exchanged := workload(t, client, out, lifetimes*lifetime+500*time.Millisecond)
	cancel()
	if err := <-runDone; err != nil {
		t.Fatalf("Run: %v", err)
	}

	if len(exchanged) < lifetimes+1 {
		t.Fatalf("the workload exchanged %d distinct tokens in %d lifetimes; the file was not kept fresh", len(exchanged), lifetimes)
	}
	if d := emu.Denials(); len(d) != 0 {
		t.Fatalf("denials: %v", d)
	}
	t.Logf("%d tokens exchanged", len(exchanged))
	// Replay protection was on all along: a token the workload used cannot be exchanged again.
	got := client.Exchange(context.Background(), request(exchanged[len(exchanged)-1]))
	if d := emu.Denials(); got.Status != 401 || len(d) != 1 || !strings.HasPrefix(d[0], emulator.DenyReplay+":") {
		t.Errorf("re-exchanging the last token: %+v, denials %v; want a jti replay denial", got, d)
	}
	mu.Lock()
	defer mu.Unlock()
	assertNoTokens(t, logs.String(), minted)
}

// workload polls the token file like an SDK would and exchanges every new token; an expired
// token on disk or a failed exchange fails the test. It returns the tokens exchanged, in order.
func workload(t *testing.T, client *anthropic.Client, path string, duration time.Duration) []string {
	t.Helper()
	var exchanged []string
	last := ""
	for end := time.Now().Add(duration); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) && last == "" {
			continue
		}
		if err != nil {
			t.Fatalf("reading the token file: %v", err)
		}
		tok, err := refresh.TokenFromJWT(string(b))
		if err != nil {
			t.Fatalf("token file unreadable: %v", err)
		}
		if !tok.Expiry.After(time.Now()) {
			t.Fatalf("the token file held a token expired at %s", tok.Expiry)
		}
		if tok.Raw == last {
			continue
		}
		if got := client.Exchange(context.Background(), request(tok.Raw)); got.Status != 200 {
			t.Fatalf("exchange %d: %+v", len(exchanged)+1, got)
		}
		last = tok.Raw
		exchanged = append(exchanged, tok.Raw)
	}
	return exchanged
}

func request(assertion string) anthropic.Request {
	return anthropic.Request{
		Assertion: strings.TrimSpace(assertion), FederationRuleID: "fdrl_01e2e",
		OrganizationID: "3f1c2a7e-5b7d-4d2a-9a51-0c8f3e2b1d44", ServiceAccountID: "svac_01e2e",
	}
}
