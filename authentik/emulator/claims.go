package emulator

import (
	"maps"
	"slices"
	"time"
)

// acr is the only authentication context authentik puts in its tokens.
const acr = "goauthentik.io/providers/oauth2/default"

// issuerView is what a request needs of one provider, read under the lock and safe to use after.
type issuerView struct {
	prov      *providerState
	app       *appState // nil when no application binds the provider
	sign, enc *keypair
	scopes    []string // the scope names of the provider's mappings
}

func (e *Emulator) viewLocked(p *providerState) issuerView {
	return issuerView{prov: p, app: e.appOfProviderLocked(p.pk), sign: e.keypairs[p.signingKey],
		enc: e.keypairs[p.encryptionKey], scopes: e.scopeNamesLocked(p)}
}

// viewBySlug finds the provider behind an application slug. authentik resolves its URLs through
// the application, so a provider no application binds is not found.
func (e *Emulator) viewBySlug(slug string) (issuerView, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.apps[slug]
	if a == nil || a.provider == 0 || e.providers[a.provider] == nil {
		return issuerView{}, false
	}
	return e.viewLocked(e.providers[a.provider]), true
}

func (e *Emulator) viewByClientID(clientID string) (issuerView, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.providerByClientIDLocked(clientID)
	if p == nil {
		return issuerView{}, false
	}
	return e.viewLocked(p), true
}

// issuer is iss for requests that reached the emulator at origin.
func (v issuerView) issuer(origin string, generic bool) string {
	switch {
	case generic:
		return origin + "/" + v.app.slug
	case v.prov.issuerMode == IssuerGlobal:
		return origin + "/"
	}
	return origin + "/application/o/" + v.app.slug + "/"
}

// grantedScopes keeps the requested scopes the provider has mappings for, in the order asked;
// the others are dropped silently.
func (v issuerView) grantedScopes(requested []string) []string {
	var out []string
	for _, s := range requested {
		if slices.Contains(v.scopes, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// tokenClaims holds the claims of one issued token pair: the registered ones and those of the
// scope mappings, kept apart because "include claims in id_token" drops the latter.
type tokenClaims struct {
	base    map[string]any
	profile map[string]any
}

type claimInput struct {
	issuer   string
	sub      string
	user     *userState
	scopes   []string
	expires  time.Time
	now      time.Time
	authTime time.Time
	nonce    string
	sid      string
	audience string // "": the provider's client ID
}

func (e *Emulator) claims(v issuerView, in claimInput) tokenClaims {
	aud := v.prov.clientID
	if in.audience != "" {
		aud = in.audience
	}
	c := tokenClaims{
		base: map[string]any{
			"iss": in.issuer, "sub": in.sub, "aud": aud, "exp": in.expires.Unix(), "iat": in.now.Unix(),
			"auth_time": in.authTime.Unix(), "acr": acr,
		},
		profile: scopeClaims(in.user, in.scopes),
	}
	if e.version.hasJTI() {
		c.base["jti"] = randomString(40)
	}
	if in.nonce != "" {
		c.base["nonce"] = in.nonce
	}
	if in.sid != "" {
		c.base["sid"] = in.sid
	}
	return c
}

// scopeClaims are the claims authentik's managed scope mappings return for a user.
func scopeClaims(u *userState, scopes []string) map[string]any {
	out := map[string]any{}
	if slices.Contains(scopes, "profile") {
		out["name"] = u.name
		out["given_name"] = u.name
		out["preferred_username"] = u.username
		out["nickname"] = u.username
		out["groups"] = append([]string{}, u.groups...)
	}
	if slices.Contains(scopes, "email") {
		out["email"] = u.email
		out["email_verified"] = true
	}
	if slices.Contains(scopes, "entitlements") {
		out["entitlements"] = []string{}
		out["roles"] = []string{}
	}
	return out
}

func (c tokenClaims) idToken(includeClaims bool) map[string]any {
	out := maps.Clone(c.base)
	if includeClaims {
		maps.Copy(out, c.profile)
	}
	return out
}

func (c tokenClaims) accessToken(clientID, scope string) map[string]any {
	out := maps.Clone(c.base)
	maps.Copy(out, c.profile)
	out["azp"] = clientID
	out["uid"] = randomString(40)
	out["scope"] = scope
	return out
}
