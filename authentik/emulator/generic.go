package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// The generic issuer mode answers with Dex's shapes: one issuer per slug at <origin>/<slug>, no
// trailing slash, Dex's paths, errors and token response.

func (e *Emulator) genericRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{slug}/.well-known/openid-configuration", e.handleGenericDiscovery)
	mux.HandleFunc("GET /{slug}/keys", e.handleGenericKeys)
	mux.HandleFunc("POST /{slug}/token", e.handleGenericToken)
}

type genericDiscovery struct {
	Issuer                   string   `json:"issuer"`
	AuthorizationEndpoint    string   `json:"authorization_endpoint"`
	TokenEndpoint            string   `json:"token_endpoint"`
	JWKSURI                  string   `json:"jwks_uri"`
	UserinfoEndpoint         string   `json:"userinfo_endpoint"`
	DeviceEndpoint           string   `json:"device_authorization_endpoint"`
	IntrospectionEndpoint    string   `json:"introspection_endpoint"`
	GrantTypesSupported      []string `json:"grant_types_supported"`
	ResponseTypesSupported   []string `json:"response_types_supported"`
	SubjectTypesSupported    []string `json:"subject_types_supported"`
	IDTokenSigningAlgs       []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethods     []string `json:"code_challenge_methods_supported"`
	ScopesSupported          []string `json:"scopes_supported"`
	TokenEndpointAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	ClaimsSupported          []string `json:"claims_supported"`
}

func (e *Emulator) handleGenericDiscovery(w http.ResponseWriter, r *http.Request) {
	v, ok := e.attachedProvider(w, r)
	if !ok {
		return
	}
	alg, err := tokenAlg(v.sign)
	if err != nil || v.sign == nil {
		http.Error(w, "server error: no signing key", http.StatusInternalServerError)
		return
	}
	iss := v.issuer(origin(r), true)
	writeJSON(w, http.StatusOK, genericDiscovery{
		Issuer: iss, AuthorizationEndpoint: iss + "/auth", TokenEndpoint: iss + "/token", JWKSURI: iss + "/keys",
		UserinfoEndpoint: iss + "/userinfo", DeviceEndpoint: iss + "/device/code", IntrospectionEndpoint: iss + "/token/introspect",
		GrantTypesSupported:      []string{"authorization_code", "client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"},
		ResponseTypesSupported:   []string{"code"},
		SubjectTypesSupported:    []string{"public"},
		IDTokenSigningAlgs:       []string{alg},
		CodeChallengeMethods:     []string{"S256", "plain"},
		ScopesSupported:          []string{"openid", "email", "groups", "profile", "offline_access"},
		TokenEndpointAuthMethods: []string{"client_secret_basic", "client_secret_post"},
		ClaimsSupported:          []string{"iss", "sub", "aud", "iat", "exp", "email", "email_verified", "locale", "name", "preferred_username", "at_hash"},
	})
}

// handleGenericKeys is Dex's JWKS: the signing key without certificate members, cacheable.
func (e *Emulator) handleGenericKeys(w http.ResponseWriter, r *http.Request) {
	v, ok := e.attachedProvider(w, r)
	if !ok {
		return
	}
	var set jose.JSONWebKeySet
	if v.sign != nil {
		m, err := v.sign.material()
		alg, algErr := tokenAlg(v.sign)
		if err != nil || algErr != nil {
			http.Error(w, "server error", http.StatusInternalServerError)
			return
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: m.public, KeyID: m.kid, Algorithm: alg, Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=60, must-revalidate")
	_, _ = w.Write(b)
}

type genericTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	IDToken     string `json:"id_token,omitempty"`
}

// handleGenericToken is Dex's client-credentials grant: a wrong secret and an unknown client are
// both invalid_client with 401; the response has no scope; an id_token only with openid.
func (e *Emulator) handleGenericToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		genericError(w, http.StatusBadRequest, "invalid_request", "Couldn't parse data")
		return
	}
	clientID, secret, ok := r.BasicAuth()
	if ok {
		clientID, _ = url.QueryUnescape(clientID)
		secret, _ = url.QueryUnescape(secret)
	} else {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	v, found := e.viewBySlug(r.PathValue("slug"))
	if !found || v.prov.clientID != clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(v.prov.clientSecret)) != 1 {
		genericError(w, http.StatusUnauthorized, "invalid_client", "Invalid client credentials.")
		return
	}
	if grant := r.PostForm.Get("grant_type"); grant != "client_credentials" {
		genericError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("unsupported grant type %q", grant))
		return
	}
	resp, err := e.genericIssue(v, origin(r), strings.Fields(r.PostForm.Get("scope")))
	if err != nil {
		genericError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (e *Emulator) genericIssue(v issuerView, origin string, scopes []string) (genericTokenResponse, error) {
	validity, err := parseTimedelta(v.prov.accessTokenValidity)
	if err != nil {
		return genericTokenResponse{}, err
	}
	now := e.clock()
	claims := map[string]any{"iss": v.issuer(origin, true), "sub": dexSubject(v.prov.clientID), "aud": v.prov.clientID,
		"exp": now.Add(validity).Unix(), "iat": now.Unix()}
	if slices.Contains(scopes, "profile") {
		claims["name"] = v.prov.name
		claims["preferred_username"] = v.prov.name
	}
	access, err := encodeJWT(claims, v.sign, nil, v.prov.clientSecret)
	if err != nil {
		return genericTokenResponse{}, err
	}
	resp := genericTokenResponse{AccessToken: access, TokenType: "bearer", ExpiresIn: int64(validity.Seconds())}
	if slices.Contains(scopes, "openid") {
		if resp.IDToken, err = encodeJWT(claims, v.sign, nil, v.prov.clientSecret); err != nil {
			return genericTokenResponse{}, err
		}
	}
	return resp, nil
}

// dexSubject is Dex's opaque sub: URL-safe base64 of a protobuf holding the user ID (here the
// client ID) and an empty connector ID.
func dexSubject(userID string) string {
	b := append([]byte{0x0a}, protoLen(len(userID))...)
	b = append(b, userID...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func protoLen(n int) []byte {
	var out []byte
	for n >= 0x80 {
		out = append(out, byte(n)|0x80)
		n >>= 7
	}
	return append(out, byte(n))
}

func genericError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}
