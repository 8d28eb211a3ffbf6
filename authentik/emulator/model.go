package emulator

import (
	"slices"
	"strings"
)

// redirectURI is one allowed redirect URI of a provider; MatchingMode is strict or regex.
type redirectURI struct {
	MatchingMode string `json:"matching_mode"`
	URL          string `json:"url"`
}

// providerState is an OAuth2 provider as authentik stores it. Stored values are replaced, never
// changed in place, so a handler may keep one after releasing the lock.
type providerState struct {
	pk                   int
	name                 string
	clientType           string
	clientID             string
	clientSecret         string
	authorizationFlow    string // flow UUIDs
	invalidationFlow     string
	authenticationFlow   string
	accessCodeValidity   string
	accessTokenValidity  string
	refreshTokenValidity string
	includeClaims        bool
	signingKey           string // keypair UUIDs; empty: none
	encryptionKey        string
	redirectURIs         []redirectURI
	legacyRedirectURIs   bool
	subMode              string
	issuerMode           string
	propertyMappings     []string // scope mapping UUIDs
	grantTypes           []string // shown and enforced from 2026.5
	homeSlug             string   // the slug AddProvider was given, kept while detached
	loginAudience        string   // test-only: aud of authorization-code logins instead of clientID
}

// appState is an authentik application; provider 0 means none bound.
type appState struct {
	uuid             string
	name             string
	slug             string
	provider         int
	openInNewTab     bool
	metaLaunchURL    string
	metaDescription  string
	metaPublisher    string
	policyEngineMode string
	group            string
	denyPolicy       bool // a policy bound to the application denies everyone
}

type flow struct {
	uuid, slug, name, title, designation, authentication string
}

type scopeMapping struct {
	uuid, managed, name, scopeName, description, expression string
}

// userState is an authentik user: one configured with AddUser, or a generated service account.
type userState struct {
	pk       int
	uuid     string
	username string
	name     string
	email    string
	groups   []string
	service  bool
}

// The grant types a provider may have from 2026.5; existing providers were migrated with all.
var allGrantTypes = []string{"authorization_code", "implicit", "hybrid", "refresh_token", "client_credentials", "password",
	"urn:ietf:params:oauth:grant-type:device_code"}

func defaultFlows() []*flow {
	return []*flow{
		{randomUUID(), "default-authentication-flow", "Welcome to authentik!", "Welcome to authentik!", "authentication", "none"},
		{randomUUID(), "default-invalidation-flow", "Logout", "Default Invalidation Flow", "invalidation", "none"},
		{randomUUID(), "default-provider-authorization-explicit-consent", "Authorize Application", "Redirecting to %(app)s", "authorization", "require_authenticated"},
		{randomUUID(), "default-provider-authorization-implicit-consent", "Authorize Application", "Redirecting to %(app)s", "authorization", "require_authenticated"},
		{randomUUID(), "default-provider-invalidation-flow", "Logout", "You've logged out of %(app)s.", "invalidation", "none"},
	}
}

// defaultScopeMappings are the managed scope mappings of authentik's system blueprint.
func defaultScopeMappings() []*scopeMapping {
	m := func(id, name, scope, desc string) *scopeMapping {
		return &scopeMapping{uuid: randomUUID(), managed: "goauthentik.io/providers/oauth2/scope-" + id,
			name: "authentik default OAuth Mapping: " + name, scopeName: scope, description: desc, expression: "return {}"}
	}
	return []*scopeMapping{
		m("openid", "OpenID 'openid'", "openid", ""),
		m("email", "OpenID 'email'", "email", "Email address"),
		m("profile", "OpenID 'profile'", "profile", "General Profile Information"),
		m("entitlements", "Application Entitlements", "entitlements", "Application entitlements"),
		m("offline_access", "OpenID 'offline_access'", "offline_access", "Access to request new tokens without interaction"),
		m("authentik_api", "authentik API access", "goauthentik.io/api", "authentik API Access on behalf of your user"),
	}
}

// serviceAccountName is the generated user authentik uses for client credentials: the provider's
// name cut to 128 characters (its username limit of 150 less the 22 of the template).
func serviceAccountName(providerName string) string {
	r := []rune(providerName)
	if len(r) > 128 {
		r = r[:128]
	}
	return "ak-" + string(r) + "-client_credentials"
}

// The lookups below run with e.mu held.

func (e *Emulator) appOfProviderLocked(pk int) *appState {
	for _, a := range e.apps {
		if a.provider == pk {
			return a
		}
	}
	return nil
}

func (e *Emulator) providerByClientIDLocked(clientID string) *providerState {
	for _, p := range e.providers {
		if p.clientID == clientID {
			return p
		}
	}
	return nil
}

// providerForSlugLocked is the provider an AddProvider slug names: the one its application
// binds, or, while detached, the one created with that slug.
func (e *Emulator) providerForSlugLocked(slug string) *providerState {
	if a := e.apps[slug]; a != nil && a.provider != 0 {
		return e.providers[a.provider]
	}
	for _, p := range e.providers {
		if p.homeSlug == slug {
			return p
		}
	}
	return nil
}

func (e *Emulator) flowLocked(uuid string) *flow {
	for _, f := range e.flows {
		if f.uuid == uuid {
			return f
		}
	}
	return nil
}

func (e *Emulator) flowBySlugLocked(slug string) *flow {
	for _, f := range e.flows {
		if f.slug == slug {
			return f
		}
	}
	return nil
}

func (e *Emulator) mappingLocked(uuid string) *scopeMapping {
	for _, m := range e.mappings {
		if m.uuid == uuid {
			return m
		}
	}
	return nil
}

func (e *Emulator) mappingsByScopeLocked(scopes ...string) []string {
	var out []string
	for _, m := range e.mappings {
		if slices.Contains(scopes, m.scopeName) {
			out = append(out, m.uuid)
		}
	}
	return out
}

// scopeNamesLocked lists the scope names of a provider's mappings, in the mappings' order.
func (e *Emulator) scopeNamesLocked(p *providerState) []string {
	out := []string{}
	for _, id := range p.propertyMappings {
		if m := e.mappingLocked(id); m != nil && !slices.Contains(out, m.scopeName) {
			out = append(out, m.scopeName)
		}
	}
	return out
}

func (e *Emulator) userByNameLocked(username string) *userState {
	for _, u := range e.users {
		if u.username == username {
			return u
		}
	}
	return nil
}

// serviceAccountLocked updates or creates the generated user of a provider, as authentik does on
// every client-credentials request: found by username, display name from the application.
func (e *Emulator) serviceAccountLocked(providerName, appName string) *userState {
	username := serviceAccountName(providerName)
	u := e.userByNameLocked(username)
	if u == nil {
		e.nextUserPK++
		u = &userState{pk: e.nextUserPK, uuid: randomUUID(), username: username, service: true}
	} else {
		c := *u
		u = &c
	}
	u.name = "Autogenerated user from application " + appName + " (client credentials)"
	e.users[u.pk] = u
	return u
}

// cloneStrings copies s, keeping nil and empty apart: nil asks for a default, empty for none.
func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string{}, s...)
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
