package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// apiProvider is an OAuth2 provider as authentik's admin API returns it — client secret in
// clear included, as the real one does.
type apiProvider struct {
	PK                                 int      `json:"pk"`
	Name                               string   `json:"name"`
	AuthenticationFlow                 *string  `json:"authentication_flow"`
	AuthorizationFlow                  string   `json:"authorization_flow"`
	InvalidationFlow                   string   `json:"invalidation_flow"`
	PropertyMappings                   []string `json:"property_mappings"`
	Component                          string   `json:"component"`
	AssignedApplicationSlug            *string  `json:"assigned_application_slug"`
	AssignedApplicationName            *string  `json:"assigned_application_name"`
	AssignedBackchannelApplicationSlug *string  `json:"assigned_backchannel_application_slug"`
	AssignedBackchannelApplicationName *string  `json:"assigned_backchannel_application_name"`
	VerboseName                        string   `json:"verbose_name"`
	VerboseNamePlural                  string   `json:"verbose_name_plural"`
	MetaModelName                      string   `json:"meta_model_name"`
	ClientType                         string   `json:"client_type"`
	ClientID                           string   `json:"client_id"`
	ClientSecret                       string   `json:"client_secret"`
	AccessCodeValidity                 string   `json:"access_code_validity"`
	AccessTokenValidity                string   `json:"access_token_validity"`
	RefreshTokenValidity               string   `json:"refresh_token_validity"`
	IncludeClaimsInIDToken             bool     `json:"include_claims_in_id_token"`
	SigningKey                         *string  `json:"signing_key"`
	EncryptionKey                      *string  `json:"encryption_key"`
	RedirectURIs                       any      `json:"redirect_uris"`
	SubMode                            string   `json:"sub_mode"`
	IssuerMode                         string   `json:"issuer_mode"`
	JWTFederationSources               []string `json:"jwt_federation_sources"`
	JWTFederationProviders             []int    `json:"jwt_federation_providers"`
	GrantTypes                         any      `json:"grant_types,omitempty"` // from 2026.5
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (e *Emulator) apiProviderLocked(p *providerState) apiProvider {
	a := apiProvider{
		PK: p.pk, Name: p.name, AuthenticationFlow: nullable(p.authenticationFlow), AuthorizationFlow: p.authorizationFlow,
		InvalidationFlow: p.invalidationFlow, PropertyMappings: append([]string{}, p.propertyMappings...),
		Component: "ak-provider-oauth2-form", VerboseName: "OAuth2/OpenID Provider", VerboseNamePlural: "OAuth2/OpenID Providers",
		MetaModelName: "authentik_providers_oauth2.oauth2provider",
		ClientType:    p.clientType, ClientID: p.clientID, ClientSecret: p.clientSecret,
		AccessCodeValidity: p.accessCodeValidity, AccessTokenValidity: p.accessTokenValidity, RefreshTokenValidity: p.refreshTokenValidity,
		IncludeClaimsInIDToken: p.includeClaims, SigningKey: nullable(p.signingKey), EncryptionKey: nullable(p.encryptionKey),
		RedirectURIs: e.apiRedirectURIs(p), SubMode: p.subMode, IssuerMode: p.issuerMode,
		JWTFederationSources: []string{}, JWTFederationProviders: []int{},
	}
	if app := e.appOfProviderLocked(p.pk); app != nil {
		a.AssignedApplicationSlug, a.AssignedApplicationName = &app.slug, &app.name
	}
	if e.version.hasGrantTypes() {
		a.GrantTypes = append([]string{}, p.grantTypes...)
	}
	return a
}

// apiRedirectURIs is a list of {matching_mode, url} since 2024.12, one newline-separated
// string before.
func (e *Emulator) apiRedirectURIs(p *providerState) any {
	if p.legacyRedirectURIs || !e.version.redirectURIList() {
		urls := make([]string, 0, len(p.redirectURIs))
		for _, u := range p.redirectURIs {
			urls = append(urls, u.URL)
		}
		return strings.Join(urls, "\n")
	}
	return append([]redirectURI{}, p.redirectURIs...)
}

// sortedProvidersLocked lists providers as authentik orders them: by name.
func (e *Emulator) sortedProvidersLocked() []*providerState {
	out := make([]*providerState, 0, len(e.providers))
	for _, p := range e.providers {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *providerState) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return a.pk - b.pk
	})
	return out
}

var providerFilters = map[string]func(p *providerState) string{
	"name": func(p *providerState) string { return p.name }, "client_id": func(p *providerState) string { return p.clientID },
	"client_type": func(p *providerState) string { return p.clientType }, "sub_mode": func(p *providerState) string { return p.subMode },
	"issuer_mode": func(p *providerState) string { return p.issuerMode }, "signing_key": func(p *providerState) string { return p.signingKey },
	"authorization_flow": func(p *providerState) string { return p.authorizationFlow },
}

func (e *Emulator) handleProviderList(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	appPK := 0
	if v, ok := filterValues(r, "application"); ok {
		app := e.appByUUIDLocked(v[0])
		if app == nil {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"application": {"Select a valid choice. That choice is not one of the available choices."}})
			return
		}
		appPK = app.provider
		if appPK == 0 {
			appPK = -1
		}
	}
	search := strings.ToLower(r.URL.Query().Get("search"))
	results := []apiProvider{}
	for _, p := range e.sortedProvidersLocked() {
		if appPK != 0 && p.pk != appPK || !strings.Contains(strings.ToLower(p.name), search) || !matchesFilters(r, p) {
			continue
		}
		results = append(results, e.apiProviderLocked(p))
	}
	paginate(w, r, results)
}

func matchesFilters(r *http.Request, p *providerState) bool {
	for key, get := range providerFilters {
		if v, ok := filterValues(r, key); ok && v[0] != "" && get(p) != v[0] {
			return false
		}
	}
	return true
}

func (e *Emulator) providerFromPath(r *http.Request) *providerState {
	pk, err := strconv.Atoi(r.PathValue("pk"))
	if err != nil {
		return nil
	}
	return e.providers[pk]
}

func (e *Emulator) handleProviderDetail(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.providerFromPath(r)
	if p == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, e.apiProviderLocked(p))
}

func (e *Emulator) handleProviderCreate(w http.ResponseWriter, r *http.Request) {
	in, ok := readInput(w, r, false)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	draft := &providerState{name: "", clientType: "confidential", clientID: randomString(40), clientSecret: randomString(128),
		accessCodeValidity: "minutes=1", accessTokenValidity: "hours=1", refreshTokenValidity: "days=30", includeClaims: true,
		subMode: "hashed_user_id", issuerMode: IssuerPerProvider, propertyMappings: []string{}, grantTypes: cloneStrings(allGrantTypes)}
	if e.readProviderLocked(in, draft, 0); in.answerErrors(w) {
		return
	}
	e.nextPK++
	draft.pk = e.nextPK
	e.providers[draft.pk] = draft
	writeJSON(w, http.StatusCreated, e.apiProviderLocked(draft))
}

func (e *Emulator) handleProviderUpdate(partial bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := readInput(w, r, partial)
		if !ok {
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		cur := e.providerFromPath(r)
		if cur == nil {
			notFound(w)
			return
		}
		next := *cur
		if e.readProviderLocked(in, &next, cur.pk); in.answerErrors(w) {
			return
		}
		e.providers[cur.pk] = &next
		writeJSON(w, http.StatusOK, e.apiProviderLocked(&next))
	}
}

func (e *Emulator) handleProviderDelete(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.providerFromPath(r)
	if p == nil {
		notFound(w)
		return
	}
	delete(e.providers, p.pk)
	if app := e.appOfProviderLocked(p.pk); app != nil {
		a := *app
		a.provider = 0 // the application's provider is set to its default, null
		e.apps[a.slug] = &a
	}
	w.WriteHeader(http.StatusNoContent)
}

// readProviderLocked applies the request's provider fields to dst (a copy, not yet stored),
// validating each as authentik's serializer does; self is dst's own pk when updating.
func (e *Emulator) readProviderLocked(in *input, dst *providerState, self int) {
	in.str("name", true, false, 0, &dst.name)
	if _, dup := in.errs["name"]; !dup && in.present("name", false) && e.providerNamedLocked(dst.name, self) {
		in.fail("name", []string{"provider with this name already exists."})
	}
	flowExists := func(id string) bool { return e.flowLocked(id) != nil }
	keyExists := func(id string) bool { return e.keypairs[id] != nil }
	in.uuidRef("authorization_flow", true, false, flowExists, &dst.authorizationFlow)
	in.uuidRef("invalidation_flow", true, false, flowExists, &dst.invalidationFlow)
	in.uuidRef("authentication_flow", false, true, flowExists, &dst.authenticationFlow)
	in.choice("client_type", false, []string{"confidential", "public"}, &dst.clientType)
	in.str("client_id", false, false, 255, &dst.clientID)
	if _, bad := in.errs["client_id"]; !bad && in.present("client_id", false) {
		if other := e.providerByClientIDLocked(dst.clientID); other != nil && other.pk != self {
			in.fail("client_id", []string{"OAuth2/OpenID Provider with this Client ID already exists."})
		}
	}
	in.str("client_secret", false, true, 255, &dst.clientSecret)
	for field, target := range map[string]*string{"access_code_validity": &dst.accessCodeValidity,
		"access_token_validity": &dst.accessTokenValidity, "refresh_token_validity": &dst.refreshTokenValidity} {
		in.validity(field, target)
	}
	in.boolean("include_claims_in_id_token", &dst.includeClaims)
	in.uuidRef("signing_key", false, true, keyExists, &dst.signingKey)
	in.uuidRef("encryption_key", false, true, keyExists, &dst.encryptionKey)
	e.readRedirectURIs(in, dst)
	in.choice("sub_mode", false, subModes, &dst.subMode)
	in.choice("issuer_mode", false, []string{IssuerGlobal, IssuerPerProvider}, &dst.issuerMode)
	in.uuidRefs("property_mappings", func(id string) bool { return e.mappingLocked(id) != nil }, &dst.propertyMappings)
	if e.version.hasGrantTypes() {
		in.choices("grant_types", allGrantTypes, &dst.grantTypes)
	}
}

func (e *Emulator) providerNamedLocked(name string, self int) bool {
	for _, p := range e.providers {
		if p.name == name && p.pk != self {
			return true
		}
	}
	return false
}

func (in *input) validity(field string, dst *string) {
	var s string
	before := len(in.errs)
	if in.str(field, false, false, 0, &s); len(in.errs) > before || !in.present(field, false) {
		return
	}
	if _, err := parseTimedelta(s); err != nil {
		in.fail(field, []string{validityError(s)})
		return
	}
	*dst = s
}

// choices reads a non-empty list of choices (grant_types).
func (in *input) choices(field string, choices []string, dst *[]string) {
	if !in.present(field, false) {
		return
	}
	var items []any
	if err := json.Unmarshal(in.raw[field], &items); err != nil || in.isNull(field) {
		in.fail(field, []string{fmt.Sprintf("Expected a list of items but got type %q.", pyType(anyOf(in.raw[field])))})
		return
	}
	if len(items) == 0 {
		in.fail(field, []string{"This list may not be empty."})
		return
	}
	out := []string{}
	for _, item := range items {
		s, _ := item.(string)
		if !slices.Contains(choices, s) {
			in.fail(field, []string{fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(item))})
			return
		}
		out = append(out, s)
	}
	*dst = out
}

// readRedirectURIs reads redirect_uris: required, a list of {matching_mode, url} (a
// newline-separated string before 2024.12).
func (e *Emulator) readRedirectURIs(in *input, dst *providerState) {
	if !in.present("redirect_uris", true) {
		return
	}
	raw := in.raw["redirect_uris"]
	if !e.version.redirectURIList() {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			in.fail("redirect_uris", []string{"Not a valid string."})
			return
		}
		dst.redirectURIs = nil
		for _, u := range splitLines(s) {
			dst.redirectURIs = append(dst.redirectURIs, redirectURI{MatchingMode: "strict", URL: u})
		}
		return
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || string(raw) == "null" {
		in.fail("redirect_uris", map[string][]string{"non_field_errors": {fmt.Sprintf("Expected a list of items but got type %q.", pyType(anyOf(raw)))}})
		return
	}
	out, itemErrs, bad := []redirectURI{}, []map[string]any{}, false
	for _, item := range items {
		u, errs := redirectURIItem(item)
		itemErrs = append(itemErrs, errs)
		bad = bad || len(errs) > 0
		out = append(out, u)
	}
	if bad {
		in.fail("redirect_uris", itemErrs)
		return
	}
	dst.redirectURIs = out
}

func redirectURIItem(raw json.RawMessage) (redirectURI, map[string]any) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return redirectURI{}, map[string]any{"non_field_errors": []string{fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyType(anyOf(raw)))}}
	}
	item := &input{raw: obj, errs: map[string]any{}}
	var u redirectURI
	item.choice("matching_mode", true, []string{"strict", "regex"}, &u.MatchingMode)
	item.str("url", true, false, 0, &u.URL)
	return u, item.errs
}

func (e *Emulator) handleSetupURLs(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	p := e.providerFromPath(r)
	var v issuerView
	if p != nil {
		v = e.viewLocked(p)
	}
	e.mu.Unlock()
	if p == nil {
		notFound(w)
		return
	}
	base := origin(r) + "/application/o/"
	out := map[string]any{"issuer": nil, "authorize": base + "authorize/", "token": base + "token/",
		"user_info": base + "userinfo/", "provider_info": nil, "logout": nil, "jwks": nil}
	if v.app != nil {
		out["issuer"] = v.issuer(origin(r), false)
		out["provider_info"] = base + v.app.slug + "/.well-known/openid-configuration"
		out["logout"] = base + v.app.slug + "/end-session/"
		out["jwks"] = base + v.app.slug + "/jwks/"
	} else if p.issuerMode == IssuerGlobal {
		out["issuer"] = origin(r) + "/"
	}
	writeJSON(w, http.StatusOK, out)
}
