package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/go-jose/go-jose/v4"

	anthropicemu "github.com/wifwiz/wifwiz/anthropic/emulator"
	authentikemu "github.com/wifwiz/wifwiz/authentik/emulator"
)

// TestSDKCallsAcrossTokenLifetimes is the whole chain with Anthropic's official Go SDK: a
// connection saved with a 15-minute rule Token lifetime (authentik's hour-long tokens), the
// workload configured from nothing but `wifwiz export --format dotenv` and the file
// `wifwiz token --connection` keeps fresh, API calls every 20 s for three hours against the
// Anthropic emulator, which refuses a reused jti and accepts only live access tokens. The SDK
// exchanges again 120 s before each 900 s access token expires and re-reads the file: none of
// its calls may fail. The same run with the old schedule — rewriting at half the identity
// token's lifetime, which `--token-lifetime 86400` reproduces — must see refused exchanges.
//
// It runs on the fake clock of a testing/synctest bubble (see bubble_helpers_test.go): three
// hours take about a second.
func TestSDKCallsAcrossTokenLifetimes(t *testing.T) {
	cases := []struct {
		name    string
		extra   []string
		refused bool
	}{
		{"rule lifetime from the stored connection", nil, false},
		{"old schedule: half the identity token's lifetime", []string{"--token-lifetime", "86400"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, authentikemu.Provider{})
			fr := newFront(t, f)
			var keys jose.JSONWebKeySet
			if err := json.Unmarshal(f.fetch(t, f.issuer()+"jwks/"), &keys); err != nil {
				t.Fatal(err)
			}
			emu, err := anthropicemu.New(anthropicemu.Rule{
				ID: testRuleID, OrganizationID: testOrgID, ServiceAccountID: testSvacID, IssuerURL: fr.issuer(),
				JWKS: &keys, SubjectPrefix: testSubject,
				Audience: f.provider.ClientID, TokenLifetime: 15 * time.Minute,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(emu.Close)
			emu.CloseEachConnection() // the SDK exchanges through a client of its own, with keep-alives
			db := filepath.Join(t.TempDir(), "wifwiz.db")
			vars := map[string]string{"AK_SECRET": f.provider.ClientSecret}
			save := runCLI(t, context.Background(), map[string]string{"AK_SECRET": f.provider.ClientSecret, secretEnv: f.provider.ClientSecret},
				"check", "--issuer", fr.issuer(), "--client-id", f.provider.ClientID, "--ca-file", fr.caFile,
				"--subject", testSubject, "--audience", f.provider.ClientID, "--jwks-file", f.jwksFile,
				"--federation-rule-id", testRuleID, "--organization-id", testOrgID, "--service-account-id", testSvacID,
				"--token-lifetime", "900", "--anthropic-base-url", emu.URL, "--save", "sdk", "--db", db, "--secret-ref", "env:AK_SECRET")
			if save.code != exitOK {
				t.Fatalf("check --save: exit %d\n%s%s", save.code, save.stdout, save.stderr)
			}
			export := runCLI(t, context.Background(), nil, "export", "--connection", "sdk", "--db", db, "--format", "dotenv")
			if export.code != exitOK {
				t.Fatalf("export: exit %d %s", export.code, export.stderr)
			}
			dotenv := parseDotenv(t, export.stdout)
			if dotenv["ANTHROPIC_BASE_URL"] != emu.URL || dotenv["ANTHROPIC_IDENTITY_TOKEN_FILE"] == "" {
				t.Fatalf("the dotenv export lacks the base URL or the token file:\n%s", export.stdout)
			}

			clock := newBubbleClock()
			f.emu.SetNow(clock.Now)
			emu.SetNow(clock.Now)
			synctest.Test(t, func(t *testing.T) {
				stop := clock.enter()
				defer stop()
				// The export names the production path; the test's file is elsewhere.
				dotenv["ANTHROPIC_IDENTITY_TOKEN_FILE"] = filepath.Join(t.TempDir(), "identity-token")
				for _, k := range []string{"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE", "ANTHROPIC_IDENTITY_TOKEN"} {
					t.Setenv(k, "")
				}
				for k, v := range dotenv {
					t.Setenv(k, v)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var logs syncBuffer
				done := make(chan int, 1)
				args := append([]string{"token", "--connection", "sdk", "--db", db, "--out", dotenv["ANTHROPIC_IDENTITY_TOKEN_FILE"]}, tc.extra...)
				go func() {
					done <- run(ctx, args, env{stdout: &syncBuffer{}, stderr: &logs, getenv: func(k string) string { return vars[k] }})
				}()
				synctest.Wait() // the first token is on disk

				client := sdk.NewClient(option.WithHTTPClient(&http.Client{
					Transport: stampingTransport{clock: clock, next: &http.Transport{DisableKeepAlives: true}},
				}))
				calls, failed := 0, []string(nil)
				for start := time.Now(); time.Since(start) < 3*time.Hour; time.Sleep(20 * time.Second) {
					calls++
					m, err := client.Models.Get(ctx, anthropicemu.ModelID, sdk.ModelGetParams{})
					if err != nil || m.ID != anthropicemu.ModelID {
						failed = append(failed, time.Since(start).String())
					}
				}
				cancel()
				if code := <-done; code != exitOK {
					t.Errorf("wifwiz token: exit %d after cancellation\n%s", code, logs.String())
				}
				denials, issued := emu.Denials(), emu.Stats().Issued
				t.Logf("%d calls, %d failed; %d exchanges accepted, %d refused", calls, len(failed), issued, len(denials))
				first := denials[:min(len(denials), 2)]
				if !tc.refused {
					if len(failed) > 0 || len(denials) > 0 || issued < 12 {
						t.Fatalf("%d of %d calls failed (first at %v); %d denials, first %v; %d exchanges; want every call to work across 12 access token lifetimes\n%s",
							len(failed), calls, failed[:min(len(failed), 3)], len(denials), first, issued, logs.String())
					}
				} else if len(failed) == 0 || len(denials) == 0 || !strings.HasPrefix(denials[0], anthropicemu.DenyReplay+":") {
					t.Fatalf("the old schedule: %d calls failed, denials %v; want calls failing on reused tokens", len(failed), first)
				}
				if out := logs.String(); jwtPattern.MatchString(out) || strings.Contains(out, f.provider.ClientSecret) {
					t.Errorf("a token or the secret reached the logs:\n%s", out)
				}
				if _, err := os.Stat(dotenv["ANTHROPIC_IDENTITY_TOKEN_FILE"]); err != nil {
					t.Error(err)
				}
			})
		})
	}
}
