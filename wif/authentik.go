package wif

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Subject modes of an authentik OAuth2 provider (authentik.md, "id_token claims").
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
// credentials: the provider's name as typed, not the slug (authentik.md).
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

// AuthentikError is the body of an authentik token endpoint error (HTTP 400).
type AuthentikError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
	RequestID   string `json:"request_id"` // since 2025.8, same as the X-authentik-id header
}

// ParseAuthentikError reads an OAuth error body; ok is false when body is not one.
func ParseAuthentikError(body []byte) (AuthentikError, bool) {
	var e AuthentikError
	if json.Unmarshal(body, &e) != nil || e.Code == "" {
		return AuthentikError{}, false
	}
	return e, true
}

// Meaning says what the error code means for a client-credentials request (authentik.md, "Response").
func (e AuthentikError) Meaning() string {
	switch e.Code {
	case "invalid_client":
		return "authentik does not know this client ID"
	case "invalid_grant":
		return "the client secret is wrong, the provider is not attached to an application, or a policy bound to the application denied access"
	case "unsupported_grant_type":
		return "the token endpoint did not accept grant_type=client_credentials"
	}
	return "authentik refused the request"
}

// Fix says what to change for the error code.
func (e AuthentikError) Fix() string {
	switch e.Code {
	case "invalid_client":
		return "Copy the Client ID again from the provider's page in authentik (Applications → Providers → your provider) and check that you are talking to the right authentik instance."
	case "invalid_grant":
		return "Copy the Client secret again from the provider's edit form; check that the provider is set as the application's provider (Applications → your application → Provider) and that no policy bound to the application denies the ak-…-client_credentials service account."
	case "unsupported_grant_type":
		return "Use the token endpoint from discovery and send grant_type=client_credentials."
	}
	return "Read error_description and look the request_id up in authentik's event log."
}

func (e AuthentikError) String() string {
	s := e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.RequestID != "" {
		s += " (request_id " + e.RequestID + ")"
	}
	return s
}

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
