package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/anthropic"
	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
)

// TestTokenSidecarFeedsExchanges is the whole chain on real time: `wifwiz token` keeps a file
// fresh with 3-second tokens from the authentik emulator while a workload, like the SDKs,
// re-reads the file and exchanges each new token with the Anthropic emulator, whose rule fetches
// authentik's keys itself. Every exchange across several token lifetimes must succeed; a token
// exchanged twice is refused, as Anthropic's jti replay check does.
func TestTokenSidecarFeedsExchanges(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for several 3 s token lifetimes")
	}
	f := newFixture(t, authentikemu.Provider{Validity: "seconds=3"})
	srv := startAnthropic(t, f, false)
	client, err := anthropic.NewClient(anthropic.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "identity-token")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	vars := f.secretEnvVars()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, f.tokenArgs(out, "--min-before-expiry", "1s"), env{stdout: &syncBuffer{}, stderr: &syncBuffer{}, getenv: func(k string) string { return vars[k] }})
	}()

	exchange := func(raw string) (int, string) {
		x := client.Exchange(ctx, anthropic.Request{Assertion: raw, FederationRuleID: testRuleID, OrganizationID: testOrgID, ServiceAccountID: testSvacID})
		return x.Status, x.ErrorType + " " + x.Message + x.Err
	}
	var used []string
	for deadline := time.Now().Add(30 * time.Second); len(used) < 7; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d tokens exchanged within 30 s, want 7", len(used))
		}
		b, err := os.ReadFile(out)
		raw := strings.TrimSpace(string(b))
		if err != nil || raw == "" || (len(used) > 0 && used[len(used)-1] == raw) {
			continue
		}
		if status, msg := exchange(raw); status != 200 {
			t.Fatalf("exchange %d of a fresh token from the file: HTTP %d %s; denials %v", len(used)+1, status, msg, srv.Denials())
		}
		used = append(used, raw)
	}
	if status, _ := exchange(used[0]); status != 401 {
		t.Errorf("a token exchanged twice: HTTP %d, want 401 (jti replay)", status)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("wifwiz token exit %d after cancellation", code)
	}
}
