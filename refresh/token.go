// Package refresh keeps an identity token file fresh for a workload (`wifwiz token`): it fetches
// a new token from a Source well before the one on disk expires and replaces the file
// atomically, so that an SDK re-reading ANTHROPIC_IDENTITY_TOKEN_FILE never sees a partial,
// empty or expired token while a refresh can still succeed. It never logs a token.
package refresh

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Token is one identity token and when it stops being valid.
type Token struct {
	Raw      string
	Expiry   time.Time
	IssuedAt time.Time // zero when unknown: the refresher then counts from when it got the token
}

// Source fetches a new identity token (the CLI adapts the authentik client to it).
type Source interface {
	Fetch(ctx context.Context) (Token, error)
}

// SourceFunc lets a function be a Source.
type SourceFunc func(ctx context.Context) (Token, error)

// Fetch calls f.
func (f SourceFunc) Fetch(ctx context.Context) (Token, error) { return f(ctx) }

// TokenFromJWT reads exp and iat from a compact JWT without verifying it: the refresher only
// needs to know when to refresh; Anthropic verifies the token.
func TokenFromJWT(raw string) (Token, error) {
	raw = strings.TrimSpace(raw)
	parts := strings.Split(raw, ".")
	switch {
	case len(parts) == 5:
		return Token{}, errors.New("token is a JWE (encrypted): its expiry cannot be read, and Anthropic cannot use it")
	case len(parts) != 3:
		return Token{}, fmt.Errorf("token is not a compact JWT (%d dot-separated parts, want 3)", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Token{}, fmt.Errorf("token payload is not base64url: %w", err)
	}
	var c struct {
		Exp *float64 `json:"exp"`
		Iat *float64 `json:"iat"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return Token{}, fmt.Errorf("token payload is not a JSON object with numeric exp/iat: %w", err)
	}
	if c.Exp == nil {
		return Token{}, errors.New("token has no exp claim")
	}
	exp, err := unixTime("exp", *c.Exp)
	if err != nil {
		return Token{}, err
	}
	t := Token{Raw: raw, Expiry: exp}
	if c.Iat != nil {
		if t.IssuedAt, err = unixTime("iat", *c.Iat); err != nil {
			return Token{}, err
		}
	}
	return t, nil
}

// maxUnixTime is 9999-12-31T23:59:59Z: a later exp or iat is a broken issuer, and would
// overflow time arithmetic.
const maxUnixTime = 253402300799

// unixTime reads a NumericDate, refusing values outside 1970 … 9999.
func unixTime(claim string, sec float64) (time.Time, error) {
	if math.IsNaN(sec) || sec < 0 || sec > maxUnixTime {
		return time.Time{}, fmt.Errorf("token %s %g is not a time between 1970 and 9999 (seconds since 1970)", claim, sec)
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)), nil
}
