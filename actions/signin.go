package actions

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// IdentityProvider is the OIDC relying party people sign in through (package oidclogin).
type IdentityProvider interface {
	AuthCodeURL(ctx context.Context, a wif.SignInAttempt) (string, error)
	Redeem(ctx context.Context, code string, a wif.SignInAttempt) (wif.Identity, error)
	EndSessionURL(ctx context.Context) string // "" when the provider has none
	Issuer() string
	RedirectURL() string
	Scopes() []string
	GroupsClaim() string
}

// SessionStore keeps sessions under the hash of their cookie (package store).
type SessionStore interface {
	CreateSession(ctx context.Context, s *wif.Session) error
	GetSession(ctx context.Context, idHash string) (*wif.Session, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteStaleSessions(ctx context.Context, now, idleSince time.Time) (int64, error)
}

// Session lifetimes by default.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxAge      = 12 * time.Hour
	signInAttemptTTL   = 10 * time.Minute
	maxSignInAttempts  = 10_000
	// touchEvery bounds the writes of an active session: its last activity is recorded at most
	// once a minute, so the idle timeout is exact to a minute.
	touchEvery = time.Minute
)

// SignInConfig configures sign-in with an OIDC provider.
type SignInConfig struct {
	Provider    IdentityProvider
	Sessions    SessionStore
	Roles       wif.RolePolicy
	IdleTimeout time.Duration // a session unused this long ends; default 30 min
	MaxAge      time.Duration // a session ends this long after sign-in, however active; default 12 h
	Now         func() time.Time
}

// SignIn is the use case of signing people in and keeping their sessions. Sign-ins under way
// (state, nonce, PKCE verifier) are kept in memory for ten minutes, bound to the browser by a
// cookie; sessions are stored, by the SHA-256 of their cookie, in the session store.
type SignIn struct {
	cfg SignInConfig

	mu       sync.Mutex
	attempts map[string]wif.SignInAttempt // by hash of the attempt cookie
}

// NewSignIn builds the sign-in use case.
func NewSignIn(cfg SignInConfig) *SignIn {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &SignIn{cfg: cfg, attempts: map[string]wif.SignInAttempt{}}
}

// Roles is the group-to-role policy.
func (s *SignIn) Roles() wif.RolePolicy { return s.cfg.Roles }

// Issuer is the provider's issuer URL.
func (s *SignIn) Issuer() string { return s.cfg.Provider.Issuer() }

// RedirectURL is wifwiz's callback, to register at the provider.
func (s *SignIn) RedirectURL() string { return s.cfg.Provider.RedirectURL() }

// Scopes are the scopes requested at sign-in.
func (s *SignIn) Scopes() []string { return s.cfg.Provider.Scopes() }

// GroupsClaim is the claim the groups are read from.
func (s *SignIn) GroupsClaim() string { return s.cfg.Provider.GroupsClaim() }

// EndSessionURL is the provider's own sign-out, or "".
func (s *SignIn) EndSessionURL(ctx context.Context) string { return s.cfg.Provider.EndSessionURL(ctx) }

// Timeouts are the idle timeout and the absolute lifetime of sessions.
func (s *SignIn) Timeouts() (idle, max time.Duration) { return s.cfg.IdleTimeout, s.cfg.MaxAge }

// Started is a sign-in under way: the browser keeps Cookie and is sent to URL.
type Started struct {
	URL    string
	Cookie string
}

// Begin starts a sign-in that returns to next (a local path) once done.
func (s *SignIn) Begin(ctx context.Context, next string) (Started, error) {
	a := wif.SignInAttempt{State: randomToken(), Nonce: randomToken(), Verifier: randomToken(),
		Next: LocalPath(next), Expires: s.cfg.Now().Add(signInAttemptTTL)}
	u, err := s.cfg.Provider.AuthCodeURL(ctx, a)
	if err != nil {
		return Started{}, err
	}
	cookie := randomToken()
	s.keepAttempt(hashToken(cookie), a)
	return Started{URL: u, Cookie: cookie}, nil
}

func (s *SignIn) keepAttempt(key string, a wif.SignInAttempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	for k, old := range s.attempts {
		if !now.Before(old.Expires) {
			delete(s.attempts, k)
		}
	}
	if len(s.attempts) >= maxSignInAttempts { // make room: forget the oldest
		oldest := ""
		for k, old := range s.attempts {
			if oldest == "" || old.Expires.Before(s.attempts[oldest].Expires) {
				oldest = k
			}
		}
		delete(s.attempts, oldest)
	}
	s.attempts[key] = a
}

// takeAttempt removes and returns the attempt of a cookie: each is used once.
func (s *SignIn) takeAttempt(cookie string) (wif.SignInAttempt, bool) {
	if cookie == "" {
		return wif.SignInAttempt{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := hashToken(cookie)
	a, ok := s.attempts[key]
	delete(s.attempts, key)
	if !ok || !s.cfg.Now().Before(a.Expires) {
		return wif.SignInAttempt{}, false
	}
	return a, true
}

// Callback is what came back to wifwiz's redirect URI.
type Callback struct {
	Cookie           string // the attempt cookie of Begin
	State            string
	Code             string
	Error            string // the provider's error, e.g. access_denied
	ErrorDescription string
}

// SignedIn is a new session.
type SignedIn struct {
	Cookie  string // the session cookie; only its hash is stored
	Session wif.Session
	Role    wif.Role
	Next    string
}

// Finish completes a sign-in: the attempt of this browser, its state, the provider's answer,
// the code redeemed and the ID token verified, then a role from the groups. A person in none
// of the groups gets no session. Every failure is a *wif.SignInError.
func (s *SignIn) Finish(ctx context.Context, cb Callback) (SignedIn, error) {
	a, ok := s.takeAttempt(cb.Cookie)
	if !ok {
		return SignedIn{}, &wif.SignInError{Kind: wif.SignInExpired,
			Message: "This sign-in was not started in this browser, or it is more than ten minutes old. Start again."}
	}
	if subtle.ConstantTimeCompare([]byte(cb.State), []byte(a.State)) != 1 {
		return SignedIn{}, &wif.SignInError{Kind: wif.SignInInvalid,
			Message: "The sign-in came back with another state than the one it was started with, so it may not be yours: it is refused. Start again."}
	}
	if cb.Error != "" {
		msg := "authentik refused the sign-in (" + cb.Error
		if cb.ErrorDescription != "" {
			msg += ": " + cb.ErrorDescription
		}
		msg += ")."
		if cb.Error == "access_denied" {
			msg += " An authentik policy bound to the sign-in application denies you: ask an authentik admin."
		}
		return SignedIn{}, &wif.SignInError{Kind: wif.SignInRefused, Message: msg}
	}
	if cb.Code == "" {
		return SignedIn{}, &wif.SignInError{Kind: wif.SignInInvalid, Message: "The sign-in came back without a code. Start again."}
	}
	id, err := s.cfg.Provider.Redeem(ctx, cb.Code, a)
	if err != nil {
		return SignedIn{}, err
	}
	role := s.cfg.Roles.RoleOf(id.Groups)
	if role == wif.RoleNone {
		return SignedIn{}, &wif.SignInError{Kind: wif.SignInNoRole,
			Message: fmt.Sprintf("You are signed in to authentik as %s, but wifwiz does not let you in. %s",
				id.Person.Actor(), s.cfg.Roles.Missing(wif.RoleNone, wif.RoleViewer))}
	}
	return s.startSession(ctx, id, role, a.Next)
}

func (s *SignIn) startSession(ctx context.Context, id wif.Identity, role wif.Role, next string) (SignedIn, error) {
	now := s.cfg.Now().UTC()
	if _, err := s.cfg.Sessions.DeleteStaleSessions(ctx, now, now.Add(-s.cfg.IdleTimeout)); err != nil {
		return SignedIn{}, err
	}
	cookie := randomToken()
	se := wif.Session{IDHash: hashToken(cookie), Person: id.Person, Groups: id.Groups, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(s.cfg.MaxAge)}
	if err := s.cfg.Sessions.CreateSession(ctx, &se); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Cookie: cookie, Session: se, Role: role, Next: next}, nil
}

// SessionStatus says what a request's session cookie stands for.
type SessionStatus int

// Session statuses.
const (
	SessionNone    SessionStatus = iota // no cookie
	SessionActive                       // a valid session
	SessionEnded                        // a cookie of no session: signed out, or removed
	SessionExpired                      // idle too long or too old; it is removed now
)

// Visit is the session of one request.
type Visit struct {
	Status  SessionStatus
	Session *wif.Session // when active
	Role    wif.Role     // when active
	Reason  string       // when expired: why
}

// Actor is how the visit's changes are recorded.
func (v Visit) Actor() string {
	if v.Session == nil {
		return ""
	}
	return v.Session.Person.Actor()
}

// Visit checks the session a cookie names, ends it when it expired, and records activity.
func (s *SignIn) Visit(ctx context.Context, cookie string) (Visit, error) {
	if cookie == "" {
		return Visit{Status: SessionNone}, nil
	}
	key := hashToken(cookie)
	se, err := s.cfg.Sessions.GetSession(ctx, key)
	if err != nil || se == nil {
		return Visit{Status: SessionEnded}, err
	}
	now := s.cfg.Now()
	reason := ""
	switch {
	case !now.Before(se.ExpiresAt):
		reason = fmt.Sprintf("it is more than %s old", DurationWords(s.cfg.MaxAge))
	case now.Sub(se.LastSeen) >= s.cfg.IdleTimeout:
		reason = fmt.Sprintf("it was unused for more than %s", DurationWords(s.cfg.IdleTimeout))
	}
	if reason != "" {
		return Visit{Status: SessionExpired, Reason: reason}, s.cfg.Sessions.DeleteSession(ctx, key)
	}
	if now.Sub(se.LastSeen) >= touchEvery {
		if err := s.cfg.Sessions.TouchSession(ctx, key, now.UTC()); err != nil {
			return Visit{}, err
		}
		se.LastSeen = now.UTC()
	}
	return Visit{Status: SessionActive, Session: se, Role: s.cfg.Roles.RoleOf(se.Groups)}, nil
}

// SignOut ends the session of cookie (if any) and returns where to end the provider's own
// session too, or "" when the provider has no end_session_endpoint.
func (s *SignIn) SignOut(ctx context.Context, cookie string) (string, error) {
	if cookie != "" {
		if err := s.cfg.Sessions.DeleteSession(ctx, hashToken(cookie)); err != nil {
			return "", err
		}
	}
	return s.cfg.Provider.EndSessionURL(ctx), nil
}

// LocalPath keeps next when it is a path on this server, else "/": a sign-in never sends the
// browser elsewhere.
func LocalPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") ||
		strings.HasPrefix(next, "/auth/") {
		return "/"
	}
	return next
}

// DurationWords reads like "30 minutes" or "12 hours": how sessions' timeouts are told to people.
func DurationWords(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0 && d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return d.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// randomToken is 256 random bits, base64url: cookies, state, nonce, PKCE verifier (43 characters).
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}
