package refresh_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wifwiz/wifwiz/anthropic/emulator"
	"github.com/wifwiz/wifwiz/refresh"
	"github.com/wifwiz/wifwiz/wif"
)

const (
	e2eIssuer = "https://auth.example.com/application/o/claude/"
	e2eSub    = "ak-claude-client_credentials"
	e2eAud    = "client-abc"
	e2eRule   = "fdrl_01e2e"
	e2eOrg    = "3f1c2a7e-5b7d-4d2a-9a51-0c8f3e2b1d44"
	e2eSvac   = "svac_01e2e"
)

// TestRefresherKeepsExchangesWorking runs the refresher and a workload that behaves like
// Anthropic's SDKs — it exchanges on its first call and again once its access token has 120 s
// left, re-reading the token file each time — against the Anthropic emulator with its jti replay
// check, over several hours of a fake clock (testing/synctest: the refresher's waits and the
// workload's pauses take no real time; the emulator, outside the bubble, reads the same clock).
// With hour-long identity tokens and a 15-minute rule, every exchange must succeed; the old
// schedule, half the identity token's lifetime whatever the rule, must see refusals.
func TestRefresherKeepsExchangesWorking(t *testing.T) {
	cases := []struct {
		name    string
		policy  refresh.Policy
		refused bool
	}{
		{"following the rule's lifetime", refresh.Policy{RuleLifetime: 15 * time.Minute}, false},
		{"old schedule: half the identity token", refresh.Policy{RuleLifetime: 24 * time.Hour}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			issuer, err := emulator.NewIssuer(e2eIssuer, "key-1")
			if err != nil {
				t.Fatal(err)
			}
			emu, err := emulator.New(emulator.Rule{
				ID: e2eRule, OrganizationID: e2eOrg, ServiceAccountID: e2eSvac, IssuerURL: e2eIssuer,
				JWKS: issuer.JWKS(), SubjectPrefix: e2eSub, Audience: e2eAud, TokenLifetime: 15 * time.Minute,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer emu.Close()
			var now atomic.Pointer[time.Time] // the bubble's time, for the emulator outside it
			emu.SetNow(func() time.Time { return *now.Load() })

			synctest.Test(t, func(t *testing.T) {
				w := &sdkWorkload{url: emu.URL, now: &now, http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
				w.stamp()
				logger, logs := newLogger()
				var mu sync.Mutex
				var minted []string
				src := refresh.SourceFunc(func(context.Context) (refresh.Token, error) {
					raw, err := issuer.Mint(e2eSub, e2eAud, time.Now(), time.Hour)
					mu.Lock()
					minted = append(minted, raw)
					mu.Unlock()
					if err != nil {
						return refresh.Token{}, err
					}
					return refresh.TokenFromJWT(raw)
				})
				w.path = filepath.Join(t.TempDir(), "identity-token")
				r := &refresh.Refresher{Source: src, Out: w.path, Policy: tc.policy, Logger: logger}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- r.Run(ctx) }()
				synctest.Wait() // the first token is on disk

				start := time.Now()
				for time.Since(start) < 3*time.Hour {
					w.call(t)
					time.Sleep(10 * time.Second)
				}
				cancel()
				if err := <-done; err != nil {
					t.Fatalf("Run: %v", err)
				}
				denials := emu.Denials()
				t.Logf("%d exchanges, %d refused, %d calls failed; %d tokens written", w.exchanges, len(denials), w.failed, len(minted))
				first := denials[:min(len(denials), 2)]
				if !tc.refused {
					if len(denials) != 0 || w.failed != 0 || w.exchanges < 12 {
						t.Fatalf("%d exchanges, %d calls failed, %d denials, first %v; want every exchange to succeed across 3 h of 15-minute access tokens", w.exchanges, w.failed, len(denials), first)
					}
				} else if w.failed == 0 || len(denials) == 0 || !strings.HasPrefix(denials[0], emulator.DenyReplay+":") {
					t.Fatalf("the old schedule: %d calls failed, denials %v; want jti replay refusals", w.failed, first)
				}
				mu.Lock()
				defer mu.Unlock()
				assertNoTokens(t, logs.String(), minted)
			})
		})
	}
}

// sdkWorkload is the part of an SDK client that matters here: when it exchanges, and what.
type sdkWorkload struct {
	url, path string
	now       *atomic.Pointer[time.Time]
	http      *http.Client

	accessExpiry      time.Time
	exchanges, failed int
}

func (w *sdkWorkload) stamp() {
	t := time.Now()
	w.now.Store(&t)
}

// call is one API call: it needs an access token with more than 120 s left, else it exchanges
// the token on disk; the call fails when that exchange fails and the token it has is too old.
func (w *sdkWorkload) call(t *testing.T) {
	t.Helper()
	if !w.accessExpiry.IsZero() && time.Until(w.accessExpiry) > wif.SDKRefreshBefore {
		return
	}
	w.exchanges++
	expiresIn, err := w.exchange()
	if err == nil {
		w.accessExpiry = time.Now().Add(time.Duration(expiresIn) * time.Second)
		return
	}
	if time.Until(w.accessExpiry) <= wif.SDKRefreshDeadline {
		w.failed++
	}
}

func (w *sdkWorkload) exchange() (int, error) {
	raw, err := os.ReadFile(w.path)
	if err != nil {
		return 0, err
	}
	body, _ := json.Marshal(map[string]string{
		"grant_type": wif.JWTBearerGrantType, "assertion": strings.TrimSpace(string(raw)),
		"federation_rule_id": e2eRule, "organization_id": e2eOrg, "service_account_id": e2eSvac,
	})
	req, err := http.NewRequest(http.MethodPost, w.url+wif.AnthropicTokenPath, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("anthropic-beta", wif.AnthropicBeta)
	w.stamp()
	resp, err := w.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var ans struct {
		ExpiresIn int `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d: %v", resp.StatusCode, err)
	}
	return ans.ExpiresIn, nil
}
