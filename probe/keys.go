package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/wifwiz/wifwiz/wif"
)

// CurrentJWKS fetches the issuer's published keys (discovery, then jwks_uri) — public data, no
// secret — for a Console that must be given the keys inline. The JSON comes back indented.
func (r *Runner) CurrentJWKS(ctx context.Context, conn wif.Connection) (string, error) {
	client, err := r.authentikClient(conn.CAPEM)
	if err != nil {
		return "", err
	}
	obs := client.Observe(ctx, r.request(wif.ProbeRequest{Connection: conn}), nil)
	if obs.Discovery.Status != http.StatusOK {
		return "", fmt.Errorf("discovery at %s: %s", obs.Discovery.URL, outcome(obs.Discovery.Status, obs.Discovery.Err))
	}
	if obs.JWKS == nil || obs.JWKS.Status != http.StatusOK {
		return "", fmt.Errorf("the discovery document names no reachable jwks_uri")
	}
	var keys struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(obs.JWKS.Body, &keys); err != nil || len(keys.Keys) == 0 {
		return "", fmt.Errorf("the issuer publishes no signing key: select a Signing Key on the provider in authentik")
	}
	var out bytes.Buffer
	if err := json.Indent(&out, obs.JWKS.Body, "", "  "); err != nil {
		return "", fmt.Errorf("JWKS at %s: %w", obs.JWKS.URL, err)
	}
	return wif.EscapeJSONText(out.String()), nil
}

func outcome(status int, errMsg string) string {
	if errMsg != "" {
		return errMsg
	}
	return fmt.Sprintf("HTTP %d", status)
}
