package wif

import (
	"errors"
	"time"
)

// SignInAttempt is one sign-in under way: the values sent with the authorization request and
// checked on the way back (state against the callback, nonce against the ID token, the PKCE
// verifier with the code). It lives in memory only, for a few minutes.
type SignInAttempt struct {
	State    string
	Nonce    string
	Verifier string
	Next     string // the local path to return to
	Expires  time.Time
}

// Kinds of SignInError: each gets its own page.
const (
	SignInUnreachable = "unreachable" // the provider did not answer (discovery, token endpoint)
	SignInRefused     = "refused"     // the provider said no (access_denied, invalid_grant, …)
	SignInInvalid     = "invalid"     // the answer failed a check: state, nonce, issuer, audience, expiry, signature
	SignInExpired     = "expired"     // no such attempt here, or it is too old
	SignInNoRole      = "no_role"     // signed in, but in none of the groups that may use wifwiz
)

// SignInError is why a sign-in did not complete, in words for the person signing in.
type SignInError struct {
	Kind    string
	Message string
	Err     error // the cause, for the log
}

func (e *SignInError) Error() string { return e.Message }

func (e *SignInError) Unwrap() error { return e.Err }

// SignInErrorKind is the kind of a *SignInError in err's chain, or "".
func SignInErrorKind(err error) string {
	var e *SignInError
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}
