package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
)

func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	if e.generic {
		e.genericRoutes(mux)
		return mux
	}
	mux.HandleFunc("GET /application/o/{slug}/.well-known/openid-configuration", e.handleDiscovery)
	mux.HandleFunc("GET /application/o/{slug}/jwks/{$}", e.handleJWKS)
	mux.HandleFunc("GET /application/o/{slug}/{$}", e.handleProviderRoot)
	mux.HandleFunc("GET /application/o/{slug}/end-session/{$}", e.handleEndSession)
	mux.HandleFunc("POST /application/o/token/{$}", e.handleToken)
	mux.HandleFunc("GET /application/o/authorize/{$}", e.handleAuthorize)
	mux.HandleFunc("POST /application/o/authorize/{$}", e.handleAuthorize)
	mux.HandleFunc("GET /application/o/userinfo/{$}", e.handleUserinfo)
	mux.HandleFunc("POST /application/o/userinfo/{$}", e.handleUserinfo)
	mux.HandleFunc("POST /emulator/login/{$}", e.handleLogin)
	e.apiRoutes(mux)
	return mux
}

// origin is scheme://host of the request as authentik sees it: the Host the client used and
// the forwarded protocol when a proxy set one, as authentik builds its issuer.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// attachedProvider finds the provider behind the request's application slug, or answers 404.
func (e *Emulator) attachedProvider(w http.ResponseWriter, r *http.Request) (issuerView, bool) {
	v, ok := e.viewBySlug(r.PathValue("slug"))
	if !ok {
		http.NotFound(w, r)
	}
	return v, ok
}

// handleProviderRoot answers <slug>/ with a redirect to the discovery document.
func (e *Emulator) handleProviderRoot(w http.ResponseWriter, r *http.Request) {
	p, ok := e.attachedProvider(w, r)
	if !ok {
		return
	}
	http.Redirect(w, r, "/application/o/"+p.app.slug+"/.well-known/openid-configuration", http.StatusFound)
}

type discoveryDoc struct {
	Issuer                      string   `json:"issuer"`
	AuthorizationEndpoint       string   `json:"authorization_endpoint"`
	TokenEndpoint               string   `json:"token_endpoint"`
	UserinfoEndpoint            string   `json:"userinfo_endpoint"`
	EndSessionEndpoint          string   `json:"end_session_endpoint"`
	IntrospectionEndpoint       string   `json:"introspection_endpoint"`
	RevocationEndpoint          string   `json:"revocation_endpoint"`
	DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
	ResponseTypesSupported      []string `json:"response_types_supported"`
	JWKSURI                     string   `json:"jwks_uri"`
	GrantTypesSupported         []string `json:"grant_types_supported"`
	IDTokenSigningAlgs          []string `json:"id_token_signing_alg_values_supported"`
	IDTokenEncryptionAlgs       []string `json:"id_token_encryption_alg_values_supported,omitempty"`
	IDTokenEncryptionEncs       []string `json:"id_token_encryption_enc_values_supported,omitempty"`
	SubjectTypesSupported       []string `json:"subject_types_supported"`
	TokenEndpointAuthMethods    []string `json:"token_endpoint_auth_methods_supported"`
	ACRValuesSupported          []string `json:"acr_values_supported"`
	ScopesSupported             []string `json:"scopes_supported"`
	ClaimsSupported             []string `json:"claims_supported"`
	RequestParameterSupported   bool     `json:"request_parameter_supported"`
	CodeChallengeMethods        []string `json:"code_challenge_methods_supported"`
}

func (e *Emulator) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	p, ok := e.attachedProvider(w, r)
	if !ok {
		return
	}
	alg, err := tokenAlg(p.sign)
	if err != nil {
		http.Error(w, "Server Error (500): "+err.Error(), http.StatusInternalServerError)
		return
	}
	scopes := cloneStrings(p.scopes)
	if !slices.Contains(scopes, "openid") {
		scopes = append(scopes, "openid")
	}
	base := origin(r) + "/application/o/"
	doc := discoveryDoc{
		Issuer:                      p.issuer(origin(r), false),
		AuthorizationEndpoint:       base + "authorize/",
		TokenEndpoint:               base + "token/",
		UserinfoEndpoint:            base + "userinfo/",
		EndSessionEndpoint:          base + p.app.slug + "/end-session/",
		IntrospectionEndpoint:       base + "introspect/",
		RevocationEndpoint:          base + "revoke/",
		DeviceAuthorizationEndpoint: base + "device/",
		ResponseTypesSupported:      []string{"code", "id_token", "id_token token", "code token", "code id_token", "code id_token token"},
		JWKSURI:                     base + p.app.slug + "/jwks/",
		GrantTypesSupported:         []string{"authorization_code", "refresh_token", "implicit", "client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code"},
		IDTokenSigningAlgs:          []string{alg},
		SubjectTypesSupported:       []string{"public"},
		TokenEndpointAuthMethods:    []string{"client_secret_post", "client_secret_basic"},
		ACRValuesSupported:          []string{acr},
		ScopesSupported:             scopes,
		ClaimsSupported:             []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "email_verified", "name", "given_name", "preferred_username", "nickname", "groups"},
		CodeChallengeMethods:        []string{"plain", "S256"},
	}
	if p.enc != nil {
		doc.IDTokenEncryptionAlgs = []string{"RSA-OAEP-256"}
		doc.IDTokenEncryptionEncs = []string{"A256CBC-HS512"}
	}
	writeJSON(w, http.StatusOK, doc)
}

// handleJWKS answers with the provider's keys; a signing keypair authentik has no JWT algorithm
// for (Ed25519) makes it fail with 500, as authentik's does.
func (e *Emulator) handleJWKS(w http.ResponseWriter, r *http.Request) {
	p, ok := e.attachedProvider(w, r)
	if !ok {
		return
	}
	doc, err := jwksDocument(p.sign, p.enc)
	if err != nil {
		http.Error(w, "Server Error (500): "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(doc)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode JSON: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
