package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

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

type tokenErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	RequestID   string `json:"request_id,omitempty"`
}

// tokenError is an OAuth error of the token endpoint; status 0 means 400.
type tokenError struct {
	code   string
	status int
}

func (t *tokenError) Error() string { return t.code }

func oauthError(code string) error { return &tokenError{code: code} }

func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		e.tokenError(w, r, oauthError("invalid_request"))
		return
	}
	resp, err := e.token(r)
	if err != nil {
		e.tokenError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// token applies authentik's checks in its order: the client, the grant type, the provider's
// grant types (2026.5), then the grant's own checks.
func (e *Emulator) token(r *http.Request) (tokenResponse, error) {
	clientID, secret := clientAuth(r)
	v, ok := e.viewByClientID(clientID)
	if !ok {
		return tokenResponse{}, oauthError("invalid_client")
	}
	grant := r.PostForm.Get("grant_type")
	if grant != "client_credentials" && grant != "password" && grant != "authorization_code" {
		return tokenResponse{}, oauthError("unsupported_grant_type")
	}
	if e.version.hasGrantTypes() && !slices.Contains(v.prov.grantTypes, grant) {
		return tokenResponse{}, oauthError("invalid_grant") // cause: grant_type_not_configured
	}
	requested := strings.Fields(r.PostForm.Get("scope"))
	if grant == "authorization_code" {
		return e.codeGrant(r, v, secret)
	}
	return e.clientCredentials(v, origin(r), secret, requested) // authentik routes password here too
}

// clientAuth reads the client's credentials as authentik does: from an Authorization header
// matching "Basic<one space>…" when there is one, the form fields being ignored then; otherwise
// from client_id and client_secret in the form. An undecodable header gives empty credentials.
func clientAuth(r *http.Request) (clientID, secret string) {
	h := r.Header.Get("Authorization")
	if rest, ok := strings.CutPrefix(h, "Basic"); ok && len(rest) >= 2 && strings.ContainsRune(" \t\r\n\f\v", rune(rest[0])) {
		fields := strings.Fields(h)
		b, err := base64.StdEncoding.DecodeString(fields[1])
		if err != nil || !utf8.Valid(b) {
			return "", ""
		}
		clientID, secret, _ = strings.Cut(string(b), ":")
		return clientID, secret
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

func (e *Emulator) clientCredentials(v issuerView, origin, secret string, requested []string) (tokenResponse, error) {
	if subtle.ConstantTimeCompare([]byte(secret), []byte(v.prov.clientSecret)) != 1 || v.app == nil || v.app.denyPolicy {
		return tokenResponse{}, oauthError("invalid_grant")
	}
	e.mu.Lock()
	user := e.serviceAccountLocked(v.prov.name, v.app.name)
	e.mu.Unlock()
	resp, _, err := e.issue(v, claimInput{issuer: v.issuer(origin, false), sub: e.subject(v.prov.subMode, user), user: user,
		scopes: v.grantedScopes(requested)})
	return resp, err
}

// issue makes the token pair. authentik computes the expiry when it creates the token and reads
// the clock again for iat, so exp - iat can be one second short of the validity.
func (e *Emulator) issue(v issuerView, in claimInput) (tokenResponse, string, error) {
	validity, err := parseTimedelta(v.prov.accessTokenValidity)
	if err != nil {
		return tokenResponse{}, "", err
	}
	in.expires = e.clock().Add(validity)
	in.now = e.clock()
	if in.authTime.IsZero() {
		in.authTime = in.now
	}
	claims := e.claims(v, in)
	scope := strings.Join(in.scopes, " ")
	idToken, err := encodeJWT(claims.idToken(v.prov.includeClaims), v.sign, v.enc, v.prov.clientSecret)
	if err != nil {
		return tokenResponse{}, "", err
	}
	accessToken, err := encodeJWT(claims.accessToken(v.prov.clientID, scope), v.sign, v.enc, v.prov.clientSecret)
	if err != nil {
		return tokenResponse{}, "", err
	}
	return tokenResponse{AccessToken: accessToken, TokenType: "Bearer", Scope: scope,
		ExpiresIn: int64(validity / time.Second), IDToken: idToken}, accessToken, nil
}

func (e *Emulator) tokenError(w http.ResponseWriter, r *http.Request, err error) {
	var te *tokenError
	if !errors.As(err, &te) {
		http.Error(w, "Server Error (500): "+err.Error(), http.StatusInternalServerError)
		return
	}
	body := tokenErrorBody{Error: te.code, Description: tokenErrorDescriptions[te.code]}
	if e.version.hasRequestID() {
		body.RequestID = requestID(r)
	}
	status := te.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, body)
}

// pkceS256 is the S256 code challenge of a verifier.
func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
