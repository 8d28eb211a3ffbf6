package wif

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Subject modes of an authentik OAuth2 provider (docs/facts.md, authentik: "id_token claims").
const (
	SubHashedUserID = "hashed_user_id" // the default: 64 lowercase hex characters
	SubUserID       = "user_id"
	SubUserUUID     = "user_uuid"
	SubUsername     = "user_username" // ak-<provider name>-client_credentials
	SubEmail        = "user_email"    // empty for the generated account
	SubUPN          = "user_upn"      // falls back to the hashed ID
)

// SubjectModeLabel is the name authentik's provider form shows for a subject mode.
func SubjectModeLabel(mode string) string {
	switch mode {
	case SubHashedUserID:
		return "Based on the Hashed User ID"
	case SubUserID:
		return "Based on the User's ID"
	case SubUserUUID:
		return "Based on the User's UUID"
	case SubUsername:
		return "Based on the User's username"
	case SubEmail:
		return "Based on the User's Email"
	case SubUPN:
		return "Based on the User's UPN"
	}
	return mode
}

// ServiceAccountUsername is the account authentik creates for a provider's own client
// credentials: the provider's name as typed, not the slug (docs/facts.md).
func ServiceAccountUsername(providerName string) string {
	return "ak-" + providerName + "-client_credentials"
}

// LooksHashed reports whether sub has the shape of authentik's hashed user ID: 64 lowercase hex.
func LooksHashed(sub string) bool {
	if len(sub) != 64 {
		return false
	}
	for _, r := range sub {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// LooksServiceAccountUsername reports whether s has the shape ak-<name>-client_credentials.
func LooksServiceAccountUsername(s string) bool {
	s = strings.TrimSuffix(s, "*")
	return strings.HasPrefix(s, "ak-") && strings.HasSuffix(s, "-client_credentials")
}

// AuthentikError is an OAuth error body from a token endpoint (RFC 6749 §5.2), as authentik
// sends it (HTTP 400, docs/facts.md, authentik: "Response") and as any other issuer does (often 401 for
// invalid_client, and without request_id).
type AuthentikError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
	RequestID   string `json:"request_id"` // authentik since 2025.8, same as the X-authentik-id header
}

// ParseAuthentikError reads an OAuth error body; ok is false when body is not one.
func ParseAuthentikError(body []byte) (AuthentikError, bool) {
	var e AuthentikError
	if json.Unmarshal(body, &e) != nil || e.Code == "" {
		return AuthentikError{}, false
	}
	return e, true
}

// Meaning says what the error code tells for a client-credentials request, and what it does not
// tell apart, for the issuer at hand; "" when wifwiz knows nothing beyond the code. authentik
// separates an unknown client (invalid_client) from a wrong secret (invalid_grant); RFC 6749 lets
// other issuers answer invalid_client for both.
func (e AuthentikError) Meaning(kind IssuerKind) string {
	if kind.Authentik() {
		switch e.Code {
		case "invalid_client":
			return "authentik does not know this client ID (for a wrong client secret authentik answers invalid_grant, not invalid_client)"
		case "invalid_grant":
			return "the client ID is known, but the client secret is wrong, the provider is not attached to an application, or a policy bound to the application denied access"
		}
	}
	switch e.Code {
	case "invalid_client":
		return "the issuer did not authenticate the client: either the client ID is unknown or the client secret is wrong — the answer does not tell which"
	case "invalid_grant":
		return "the issuer refused the grant: the client may not use client credentials, or a policy denied it"
	case "unauthorized_client":
		return "this client may not use the client_credentials grant"
	case "invalid_scope":
		return "the issuer does not allow the requested scope for this client"
	case "unsupported_grant_type":
		return "the token endpoint does not accept grant_type=client_credentials"
	case "invalid_request":
		return "the issuer found the request invalid; its error_description says why"
	}
	return ""
}

// Fix says what to change for the error code, with authentik's settings only for authentik.
func (e AuthentikError) Fix(kind IssuerKind) string {
	if kind.Authentik() {
		switch e.Code {
		case "invalid_client":
			return "Copy the Client ID again from the provider's page in authentik (Applications → Providers → your provider) and check that you are talking to the right authentik instance."
		case "invalid_grant":
			return "Copy the Client secret again from the provider's edit form; check that the provider is set as the application's provider (Applications → your application → Provider) and that no policy bound to the application denies the ak-…-client_credentials service account."
		case "unauthorized_client":
			return "Allow the client_credentials grant on the provider in authentik (its grant types, in versions that have them)."
		}
	}
	switch e.Code {
	case "invalid_client":
		return "Copy the client ID and the client secret again from the issuer's client registration, and check that the client authenticates as the issuer expects (client_secret_post or client_secret_basic)."
	case "invalid_grant", "unauthorized_client":
		return "Allow the client_credentials grant for this client at the issuer, and check any policy that applies to it."
	case "invalid_scope":
		return "Request only scopes this client is allowed (--scope), or none (--scope \"\")."
	case "unsupported_grant_type":
		return "Use the token endpoint from discovery and send grant_type=client_credentials."
	}
	if kind.Authentik() && e.RequestID != "" {
		return "Read the error_description above and look the request_id up in authentik's event log (Events → Logs)."
	}
	return "Read the error and error_description above, and the issuer's log for this request."
}

// Quoted shows the error as received, each member quoted; request_id only when there is one.
func (e AuthentikError) Quoted() string {
	s := fmt.Sprintf("error %q", e.Code)
	if e.Description != "" {
		s += fmt.Sprintf(", error_description %q", e.Description)
	}
	if e.RequestID != "" {
		s += fmt.Sprintf(", request_id %q", e.RequestID)
	}
	return s
}

func (e AuthentikError) String() string { return e.Quoted() }

var validityUnits = map[string]time.Duration{
	"microseconds": time.Microsecond,
	"milliseconds": time.Millisecond,
	"seconds":      time.Second,
	"minutes":      time.Minute,
	"hours":        time.Hour,
	"days":         24 * time.Hour,
	"weeks":        7 * 24 * time.Hour,
}

// ParseValidity reads a token validity as authentik writes it ("hours=1;minutes=30", keys from
// microseconds to weeks, fractional values allowed), as a Go duration ("1h30m"), or as whole seconds.
func ParseValidity(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("validity is empty: write it as authentik does (hours=1) or as a duration (1h)")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return secondsDuration(n)
	}
	if !strings.Contains(s, "=") {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("validity %q is neither authentik's form (hours=1;minutes=30) nor a duration (1h30m)", s)
		}
		return positive(d, s)
	}
	var total float64
	for _, part := range strings.Split(s, ";") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		unit, known := validityUnits[strings.TrimSpace(key)]
		if !ok || !known {
			return 0, fmt.Errorf("validity part %q: use key=value with a key among microseconds, milliseconds, seconds, minutes, hours, days, weeks", part)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, fmt.Errorf("validity part %q: the value must be a non-negative number", part)
		}
		total += f * float64(unit)
	}
	if total > float64(math.MaxInt64) {
		return 0, fmt.Errorf("validity %q is too long", s)
	}
	return positive(time.Duration(total), s)
}

func secondsDuration(n int64) (time.Duration, error) {
	if n <= 0 || n > math.MaxInt64/int64(time.Second) {
		return 0, fmt.Errorf("validity %d s must be a positive number of seconds", n)
	}
	return time.Duration(n) * time.Second, nil
}

func positive(d time.Duration, s string) (time.Duration, error) {
	if d <= 0 {
		return 0, fmt.Errorf("validity %q must be longer than zero", s)
	}
	return d, nil
}
