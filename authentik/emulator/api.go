package emulator

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// apiProvider is an OAuth2 provider as authentik's admin API returns it — client secret
// in clear included, as the real one does (authentik.md, "Admin API").
type apiProvider struct {
	PK                      int     `json:"pk"`
	Name                    string  `json:"name"`
	Component               string  `json:"component"`
	MetaModelName           string  `json:"meta_model_name"`
	AssignedApplicationSlug *string `json:"assigned_application_slug"`
	AssignedApplicationName *string `json:"assigned_application_name"`
	ClientType              string  `json:"client_type"`
	ClientID                string  `json:"client_id"`
	ClientSecret            string  `json:"client_secret"`
	AccessCodeValidity      string  `json:"access_code_validity"`
	AccessTokenValidity     string  `json:"access_token_validity"`
	RefreshTokenValidity    string  `json:"refresh_token_validity"`
	IncludeClaimsInIDToken  bool    `json:"include_claims_in_id_token"`
	SigningKey              *string `json:"signing_key"`
	EncryptionKey           *string `json:"encryption_key"`
	RedirectURIs            any     `json:"redirect_uris"`
	SubMode                 string  `json:"sub_mode"`
	IssuerMode              string  `json:"issuer_mode"`
	PropertyMappings        []any   `json:"property_mappings"`
}

type redirectURI struct {
	MatchingMode string `json:"matching_mode"`
	URL          string `json:"url"`
}

type apiDetail struct {
	Detail string `json:"detail"`
}

// requireAPIToken answers 403 unless the request carries the emulator's API token.
func (e *Emulator) requireAPIToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			writeJSON(w, http.StatusForbidden, apiDetail{"Authentication credentials were not provided."})
			return
		}
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(e.apiToken)) != 1 {
			writeJSON(w, http.StatusForbidden, apiDetail{"Token invalid/expired"})
			return
		}
		next(w, r)
	}
}

func (e *Emulator) handleProviderList(w http.ResponseWriter, r *http.Request) {
	clientID, filtered := r.URL.Query()["client_id"]
	var results []apiProvider
	for _, p := range e.allProviders() {
		if !filtered || p.ClientID == clientID[0] {
			results = append(results, p.api())
		}
	}
	if results == nil {
		results = []apiProvider{}
	}
	n := len(results)
	writeJSON(w, http.StatusOK, map[string]any{
		"pagination": map[string]int{
			"next": 0, "previous": 0, "count": n, "current": 1, "total_pages": 1, "start_index": min(1, n), "end_index": n,
		},
		"results":      results,
		"autocomplete": map[string]any{},
	})
}

func (e *Emulator) handleProviderDetail(w http.ResponseWriter, r *http.Request) {
	pk, err := strconv.Atoi(r.PathValue("pk"))
	for _, p := range e.allProviders() {
		if err == nil && p.pk == pk {
			writeJSON(w, http.StatusOK, p.api())
			return
		}
	}
	writeJSON(w, http.StatusNotFound, apiDetail{"No OAuth2Provider matches the given query."})
}

func (e *Emulator) handleApplication(w http.ResponseWriter, r *http.Request) {
	p, ok := e.provider(r.PathValue("slug"))
	if !ok {
		writeJSON(w, http.StatusNotFound, apiDetail{"No Application matches the given query."})
		return
	}
	app := map[string]any{
		"pk": p.appUUID, "name": p.Name, "slug": p.Slug, "provider": nil, "provider_obj": nil,
		"launch_url": nil, "meta_launch_url": "", "open_in_new_tab": false, "policy_engine_mode": "any", "group": "",
	}
	if !p.Detached {
		app["provider"] = p.pk
		app["provider_obj"] = map[string]any{
			"pk": p.pk, "name": p.Name, "component": "ak-provider-oauth2-form",
			"meta_model_name": "authentik_providers_oauth2.oauth2provider", "assigned_application_slug": p.Slug,
		}
	}
	writeJSON(w, http.StatusOK, app)
}

func (e *Emulator) allProviders() []provider {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]provider, 0, len(e.providers))
	for _, p := range e.providers {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b provider) int { return a.pk - b.pk })
	return out
}

func (p provider) api() apiProvider {
	a := apiProvider{
		PK: p.pk, Name: p.Name, Component: "ak-provider-oauth2-form",
		MetaModelName: "authentik_providers_oauth2.oauth2provider",
		ClientType:    p.ClientType, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		AccessCodeValidity: "minutes=1", AccessTokenValidity: p.Validity, RefreshTokenValidity: "days=30",
		IncludeClaimsInIDToken: p.IncludeClaims, SubMode: p.SubMode, IssuerMode: p.IssuerMode,
		RedirectURIs: p.apiRedirectURIs(), PropertyMappings: []any{},
	}
	if !p.Detached {
		a.AssignedApplicationSlug, a.AssignedApplicationName = &p.Slug, &p.Name
	}
	if p.sign != nil {
		a.SigningKey = &p.sign.uuid
	}
	if p.enc != nil {
		a.EncryptionKey = &p.enc.uuid
	}
	return a
}

// apiRedirectURIs is a list of {matching_mode, url} since 2024.12, one newline-separated
// string before.
func (p provider) apiRedirectURIs() any {
	if p.LegacyRedirectURIs {
		return strings.Join(p.RedirectURIs, "\n")
	}
	out := []redirectURI{}
	for _, u := range p.RedirectURIs {
		out = append(out, redirectURI{MatchingMode: "strict", URL: u})
	}
	return out
}
