package verify

import (
	"encoding/json"
	"fmt"
)

// SelectToken returns the token a verification uses from a token response body, as
// Run chooses it (field: auto, id_token or access_token), so that a live exchange sends exactly
// the token that was checked.
func SelectToken(body []byte, field string) (raw, usedField string, err error) {
	var resp tokenResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return "", "", fmt.Errorf("token response is not JSON: %w", err)
	}
	t, err := pickToken(resp, field)
	if err != nil {
		return "", "", err
	}
	return t.raw, t.field, nil
}
