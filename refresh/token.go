// Package refresh keeps an identity token file fresh for a workload (`wifwiz token`): it fetches
// a new token from a Source well before the one on disk expires and replaces the file
// atomically, so that an SDK re-reading ANTHROPIC_IDENTITY_TOKEN_FILE never sees a partial,
// empty or expired token while a refresh can still succeed. It never logs a token.
package refresh

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/verify"
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
// needs to know when to refresh; Anthropic verifies the token. It reads the token as the check
// engine does (verify.DecodeToken).
func TokenFromJWT(raw string) (Token, error) {
	raw = strings.TrimSpace(raw)
	_, claims, err := verify.DecodeToken(raw)
	switch {
	case errors.Is(err, verify.ErrEncrypted):
		return Token{}, errors.New("token is a JWE (encrypted): its expiry cannot be read, and Anthropic cannot use it")
	case err != nil:
		return Token{}, fmt.Errorf("token is not a readable compact JWT: %w", err)
	}
	expSec, ok := verify.NumericDate(claims["exp"])
	if !ok {
		return Token{}, errors.New("token has no numeric exp claim")
	}
	exp, err := unixTime("exp", expSec)
	if err != nil {
		return Token{}, err
	}
	t := Token{Raw: raw, Expiry: exp}
	if iat, present := claims["iat"]; present {
		iatSec, ok := verify.NumericDate(iat)
		if !ok {
			return Token{}, errors.New("token's iat claim is not a number")
		}
		if t.IssuedAt, err = unixTime("iat", iatSec); err != nil {
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
