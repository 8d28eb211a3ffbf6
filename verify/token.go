package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// Errors DecodeToken returns for tokens whose claims cannot be read.
var (
	ErrNotJWT    = errors.New("not a JWT: a signed JWT has three dot-separated base64url parts")
	ErrEncrypted = errors.New("the token is a JWE (encrypted): its claims cannot be read")
	ErrTooLarge  = errors.New("the token is larger than 1 MiB")
)

// Fingerprint is the hex SHA-256 of a raw token: the only trace of it that may be stored.
func Fingerprint(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// DecodeToken reads a compact JWT's header and claims without verifying anything. For a JWE it
// returns the header and ErrEncrypted. Errors never contain the token.
func DecodeToken(raw string) (header, claims map[string]any, err error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > wif.MaxResponseBytes {
		return nil, nil, ErrTooLarge
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 && len(parts) != 5 {
		return nil, nil, ErrNotJWT
	}
	header, err = decodeSegment(parts[0])
	if err != nil {
		return nil, nil, fmt.Errorf("reading the JWT header: %w", err)
	}
	if len(parts) == 5 {
		return header, nil, ErrEncrypted
	}
	claims, err = decodeSegment(parts[1])
	if err != nil {
		return header, nil, fmt.Errorf("reading the JWT claims: %w", err)
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return header, claims, fmt.Errorf("reading the JWT signature: not base64url without padding")
	}
	return header, claims, nil
}

// decodeSegment reads one base64url segment holding a JSON object; numbers stay json.Number so
// that large NumericDates survive.
func decodeSegment(seg string) (map[string]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, errors.New("not base64url without padding")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}

// tokenResponse is a client-credentials response (docs/facts.md, authentik: "Response"; RFC 6749 §5.1).
// scope and expires_in stay raw, so that an absent member is told from an empty one.
type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	IDToken     string          `json:"id_token"`
	TokenType   string          `json:"token_type"`
	Scope       json.RawMessage `json:"scope"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
}

// pickedToken is the token chosen for verification and the field it came from.
type pickedToken struct {
	field string
	raw   string
	resp  tokenResponse
}

// PickError says what a token response lacks for the --token-field chosen, and what to change.
// It is the one wording of that problem for check, audit and token.
type PickError struct {
	Problem string // e.g. "the token response has no id_token"
	Fix     string
}

func (e *PickError) Error() string { return e.Problem + ": " + e.Fix }

const fixRequestOpenID = "request the openid scope (--scope \"openid\"), which issuers need to return an id_token"

// PickToken chooses the identity token from a token response's id_token and access_token as
// --token-field says (README.md): id_token, access_token, or auto — the id_token, else an
// access_token that is a JWT. A *PickError says what is missing.
func PickToken(idToken, accessToken, field string) (raw, usedField string, err error) {
	switch field {
	case wif.TokenFieldIDToken:
		if idToken == "" {
			return "", "", &PickError{"the token response has no id_token", fixRequestOpenID + ", or use --token-field access_token if the access_token is a JWT"}
		}
		return idToken, wif.TokenFieldIDToken, nil
	case wif.TokenFieldAccessToken:
		if accessToken == "" {
			return "", "", &PickError{"the token response has no access_token", "use --token-field id_token or auto"}
		}
		return accessToken, wif.TokenFieldAccessToken, nil
	}
	switch {
	case idToken != "":
		return idToken, wif.TokenFieldIDToken, nil
	case strings.Count(accessToken, ".") == 2:
		return accessToken, wif.TokenFieldAccessToken, nil
	case accessToken == "":
		return "", "", &PickError{"the token response has neither id_token nor access_token", fixRequestOpenID}
	}
	return "", "", &PickError{"the token response has no id_token and its access_token is not a JWT", fixRequestOpenID + ", or have the issuer issue JWT access tokens"}
}

// pickToken chooses the token to verify from a decoded response, as PickToken does.
func pickToken(resp tokenResponse, field string) (*pickedToken, error) {
	raw, used, err := PickToken(resp.IDToken, resp.AccessToken, field)
	if err != nil {
		return nil, err
	}
	return &pickedToken{used, raw, resp}, nil
}

// tokenSummary describes the picked token for the report, without the token. The claims of a
// token larger than Anthropic accepts are left out, so that a runaway token cannot bloat stored
// reports.
func (r *run) tokenSummary() *Token {
	if r.tok == nil {
		return nil
	}
	t := &Token{Field: r.tok.field, SHA256: Fingerprint(r.tok.raw)}
	t.Header, t.Claims, _ = DecodeToken(r.tok.raw)
	if len(r.tok.raw) > wif.MaxTokenBytes {
		t.Claims = nil
	}
	// What is stored and shown: invisible characters written out, token shapes removed. The
	// checks above read the claims as they are.
	return &Token{Field: t.Field, SHA256: t.SHA256, Header: shownJSON(t.Header), Claims: shownJSON(t.Claims)}
}

// shownJSON copies a decoded JSON object with every string (names included) made visible:
// control and format characters (escape sequences, bidi overrides) written as \uXXXX, token
// shapes removed.
func shownJSON(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	v, _ := mapStrings(m, func(s string) string { return redact.Tokens(visible(s)) }).(map[string]any)
	return v
}
