package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// supportedScopes are the scopes of authentik's default scope mappings; others are dropped
// silently (authentik.md, "Client credentials request").
var supportedScopes = []string{"openid", "email", "profile"}

// Error descriptions authentik sends with each code.
var tokenErrorDescriptions = map[string]string{
	"invalid_request":        "The request is otherwise malformed",
	"invalid_client":         "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)",
	"invalid_grant":          "The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client",
	"unsupported_grant_type": "The authorization grant type is not supported by the authorization server",
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	ExpiresIn   int64  `json:"expires_in"`
	IDToken     string `json:"id_token"`
}

func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, r, "invalid_request")
		return
	}
	p, code := e.authorize(r)
	if code != "" {
		tokenError(w, r, code)
		return
	}
	resp, err := e.issue(p, origin(r), grantedScopes(r.PostForm.Get("scope")))
	if err != nil {
		http.Error(w, "issue token: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// authorize applies authentik's client-credentials checks and returns the OAuth error code
// of the first that fails.
func (e *Emulator) authorize(r *http.Request) (provider, string) {
	clientID, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if clientID == "" {
		clientID, secret, _ = r.BasicAuth()
	}
	p, ok := e.providerByClientID(clientID)
	if !ok {
		return provider{}, "invalid_client"
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		return provider{}, "unsupported_grant_type"
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 || p.Detached || p.DenyPolicy {
		return provider{}, "invalid_grant"
	}
	return p, ""
}

func tokenError(w http.ResponseWriter, r *http.Request, code string) {
	writeJSON(w, http.StatusBadRequest, wif.AuthentikError{
		Code:        code,
		Description: tokenErrorDescriptions[code],
		RequestID:   requestID(r),
	})
}

// grantedScopes keeps the requested scopes the provider has, in the order asked.
func grantedScopes(requested string) []string {
	var out []string
	for _, s := range strings.Fields(requested) {
		for _, known := range supportedScopes {
			if s == known && !contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (e *Emulator) issue(p provider, origin string, scopes []string) (tokenResponse, error) {
	validity, err := wif.ParseValidity(p.Validity)
	if err != nil {
		return tokenResponse{}, err
	}
	// authentik computes the expiry when it creates the token and reads the clock again for
	// iat, so exp - iat can be one second short of the validity.
	expires := e.clock().Add(validity)
	claims := e.claims(p, origin, scopes, expires, e.clock())
	idToken, err := p.encode(claims.idToken(p.IncludeClaims))
	if err != nil {
		return tokenResponse{}, err
	}
	accessToken, err := p.encode(claims.accessToken(p.ClientID, strings.Join(scopes, " ")))
	if err != nil {
		return tokenResponse{}, err
	}
	return tokenResponse{
		AccessToken: accessToken,
		TokenType:   "Bearer",
		Scope:       strings.Join(scopes, " "),
		ExpiresIn:   int64(validity / time.Second),
		IDToken:     idToken,
	}, nil
}
