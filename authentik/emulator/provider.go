package emulator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Issuer modes of an authentik OAuth2 provider.
const (
	IssuerPerProvider = "per_provider"
	IssuerGlobal      = "global"
)

// Provider configures one emulated OAuth2 provider and the application it belongs to; the
// application's slug is Slug. Zero values take authentik's defaults, except IncludeClaims.
type Provider struct {
	Slug         string // application slug: /application/o/<slug>/
	Name         string // as typed; the generated account is ak-<Name cut to 128>-client_credentials. Default: Slug
	ClientID     string // default: 40 random characters
	ClientSecret string // default: 128 random characters; at least 32 bytes when Signing is none
	ClientType   string // confidential (default) or public
	SubMode      string // wif.Sub*; default hashed_user_id
	IssuerMode   string // per_provider (default) or global
	// Signing is RS256 (default), ES256, ES384, ES512 (a new keypair of that type is made for the
	// provider), SigningEd25519 (a keypair authentik cannot sign JWTs with) or SigningNone
	// (tokens become HS256). SigningKey, when set, names an existing keypair instead.
	Signing       string
	SigningKey    string
	Encrypted     bool     // an encryption key is selected: tokens become JWEs
	Validity      string   // access_token_validity; default hours=1
	Detached      bool     // the application does not reference the provider (authentik's default is attached)
	IncludeClaims bool     // include claims in id_token
	DenyPolicy    bool     // a policy bound to the application denies every user
	RedirectURIs  []string // strict matching
	// LegacyRedirectURIs makes the admin API show redirect_uris as one newline-separated
	// string, as authentik did before 2024.12.
	LegacyRedirectURIs bool
	// Scopes are the scope names of the provider's scope mappings; requested scopes it lacks
	// are dropped. nil: openid, email and profile.
	Scopes []string
	// GrantTypes are the provider's grant types, shown and enforced from authentik 2026.5.
	// nil: all of them, as authentik migrated existing providers.
	GrantTypes []string
	PK         int // the admin API's primary key; set by AddProvider
}

var defaultScopes = []string{"openid", "email", "profile"}

func withDefaults(p Provider) Provider {
	if p.Name == "" {
		p.Name = p.Slug
	}
	if p.ClientID == "" {
		p.ClientID = randomString(40)
	}
	if p.ClientSecret == "" {
		p.ClientSecret = randomString(128)
	}
	p.ClientType = orDefault(p.ClientType, "confidential")
	p.SubMode = orDefault(p.SubMode, wif.SubHashedUserID)
	p.IssuerMode = orDefault(p.IssuerMode, IssuerPerProvider)
	if p.SigningKey == "" {
		p.Signing = orDefault(p.Signing, RS256)
	}
	p.Validity = orDefault(p.Validity, "hours=1")
	if p.Scopes == nil {
		p.Scopes = defaultScopes
	}
	if p.GrantTypes == nil {
		p.GrantTypes = allGrantTypes
	}
	p.Scopes, p.GrantTypes, p.RedirectURIs = cloneStrings(p.Scopes), cloneStrings(p.GrantTypes), cloneStrings(p.RedirectURIs)
	return p
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func validate(p Provider) error {
	if p.Slug == "" || strings.Trim(p.Slug, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return fmt.Errorf("provider slug %q: use letters, digits, - and _", p.Slug)
	}
	if !slices.Contains(subModes, p.SubMode) {
		return fmt.Errorf("provider %s: unknown subject mode %q", p.Slug, p.SubMode)
	}
	if p.IssuerMode != IssuerPerProvider && p.IssuerMode != IssuerGlobal {
		return fmt.Errorf("provider %s: issuer mode %q: use per_provider or global", p.Slug, p.IssuerMode)
	}
	if p.ClientType != "confidential" && p.ClientType != "public" {
		return fmt.Errorf("provider %s: client type %q: use confidential or public", p.Slug, p.ClientType)
	}
	if _, err := parseTimedelta(p.Validity); err != nil {
		return fmt.Errorf("provider %s: %s", p.Slug, validityError(p.Validity))
	}
	if _, ok := signingKeyTypes[p.Signing]; !ok && p.Signing != SigningNone && p.SigningKey == "" {
		return fmt.Errorf("provider %s: signing %q: use RS256, ES256, ES384, ES512, EdDSA or none", p.Slug, p.Signing)
	}
	if p.Signing == SigningNone && p.SigningKey == "" && len(p.ClientSecret) < 32 {
		return fmt.Errorf("provider %s: without a signing key tokens are HS256 keyed with the client secret, which must then be at least 32 bytes", p.Slug)
	}
	for _, g := range p.GrantTypes {
		if !slices.Contains(allGrantTypes, g) {
			return fmt.Errorf("provider %s: grant type %q: use one of %s", p.Slug, g, strings.Join(allGrantTypes, ", "))
		}
	}
	return nil
}

var subModes = []string{wif.SubHashedUserID, wif.SubUserID, wif.SubUserUUID, wif.SubUsername, wif.SubEmail, wif.SubUPN}

// AddProvider registers a provider and an application with its slug bound to it, and returns
// the provider with the defaults filled in (generated client ID, secret and PK included).
func (e *Emulator) AddProvider(p Provider) (Provider, error) {
	p = withDefaults(p)
	if err := validate(p); err != nil {
		return Provider{}, err
	}
	sign, enc, err := e.providerKeys(p, nil)
	if err != nil {
		return Provider{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.apps[p.Slug] != nil || e.providerForSlugLocked(p.Slug) != nil {
		return Provider{}, fmt.Errorf("provider slug %q already exists", p.Slug)
	}
	if e.providerByClientIDLocked(p.ClientID) != nil {
		return Provider{}, fmt.Errorf("client ID %q already exists", p.ClientID)
	}
	mappings, err := e.scopeMappingIDsLocked(p)
	if err != nil {
		return Provider{}, err
	}
	e.nextPK++
	state := &providerState{pk: e.nextPK, homeSlug: p.Slug,
		authorizationFlow:  e.flowBySlugLocked("default-provider-authorization-implicit-consent").uuid,
		invalidationFlow:   e.flowBySlugLocked("default-provider-invalidation-flow").uuid,
		accessCodeValidity: "minutes=1", refreshTokenValidity: "days=30"}
	e.applyProviderLocked(state, p, mappings, sign, enc)
	app := &appState{uuid: randomUUID(), name: p.Name, slug: p.Slug, policyEngineMode: "any", denyPolicy: p.DenyPolicy}
	if !p.Detached {
		app.provider = state.pk
	}
	e.providers[state.pk] = state
	e.apps[p.Slug] = app
	p.PK = state.pk
	return p, nil
}

// providerKeys makes or finds the keypairs p asks for, keeping old's where they still fit.
// New keys are generated here, outside the lock.
func (e *Emulator) providerKeys(p Provider, old *Provider) (sign, enc *keypair, err error) {
	switch {
	case p.SigningKey != "" && (old == nil || p.SigningKey != old.SigningKey):
		if sign = e.keypair(p.SigningKey); sign == nil {
			return nil, nil, fmt.Errorf("provider %s: no keypair %q", p.Slug, p.SigningKey)
		}
	case old != nil && p.Signing == old.Signing && p.SigningKey == old.SigningKey:
		sign = e.keypair(old.SigningKey)
	case p.Signing != SigningNone:
		if sign, err = e.generatedKeypair(p.Slug+"-signing", signingKeyTypes[p.Signing]); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case !p.Encrypted:
	case old != nil && old.Encrypted:
		enc = e.encryptionKeypair(p.Slug)
	default:
		enc, err = e.generatedKeypair(p.Slug+"-encryption", KeyRSA)
	}
	return sign, enc, err
}

func (e *Emulator) keypair(uuid string) *keypair {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.keypairs[uuid]
}

func (e *Emulator) encryptionKeypair(slug string) *keypair {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.providerForSlugLocked(slug); p != nil {
		return e.keypairs[p.encryptionKey]
	}
	return nil
}

// generatedKeypair makes and stores a keypair of typ named after prefix, its key generated now.
func (e *Emulator) generatedKeypair(prefix, typ string) (*keypair, error) {
	k, err := newKeypair(KeypairSpec{Name: prefix + "-" + strings.ToLower(randomString(6)), Type: typ}, e.version.hashedKID())
	if err != nil {
		return nil, err
	}
	if _, err := k.material(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keypairs[k.uuid] = k
	return k, nil
}

func (e *Emulator) scopeMappingIDsLocked(p Provider) ([]string, error) {
	ids := e.mappingsByScopeLocked(p.Scopes...)
	for _, s := range p.Scopes {
		if len(e.mappingsByScopeLocked(s)) == 0 {
			return nil, fmt.Errorf("provider %s: no scope mapping for scope %q", p.Slug, s)
		}
	}
	return ids, nil
}

// applyProviderLocked writes p's settings into state, which must not be shared yet.
func (e *Emulator) applyProviderLocked(state *providerState, p Provider, mappings []string, sign, enc *keypair) {
	state.name, state.clientID, state.clientSecret, state.clientType = p.Name, p.ClientID, p.ClientSecret, p.ClientType
	state.subMode, state.issuerMode, state.accessTokenValidity = p.SubMode, p.IssuerMode, p.Validity
	state.includeClaims, state.legacyRedirectURIs = p.IncludeClaims, p.LegacyRedirectURIs
	state.signingKey, state.encryptionKey = "", ""
	if sign != nil {
		state.signingKey = sign.uuid
	}
	if enc != nil {
		state.encryptionKey = enc.uuid
	}
	state.redirectURIs = nil
	for _, u := range p.RedirectURIs {
		state.redirectURIs = append(state.redirectURIs, redirectURI{MatchingMode: "strict", URL: u})
	}
	state.propertyMappings, state.grantTypes = mappings, cloneStrings(p.GrantTypes)
}

// Update changes a provider at run time. The slug cannot change; a changed Signing gets a new
// keypair, as selecting another keypair in authentik does.
func (e *Emulator) Update(slug string, change func(*Provider)) error {
	old, ok := e.Provider(slug)
	if !ok {
		return fmt.Errorf("no provider with slug %q", slug)
	}
	cfg := old
	cfg.RedirectURIs, cfg.Scopes, cfg.GrantTypes = cloneStrings(old.RedirectURIs), cloneStrings(old.Scopes), cloneStrings(old.GrantTypes)
	change(&cfg)
	if cfg.Signing != old.Signing && cfg.SigningKey == old.SigningKey {
		cfg.SigningKey = "" // a new Signing asks for a new keypair
	}
	cfg = withDefaults(cfg)
	if cfg.Slug != slug {
		return fmt.Errorf("provider %s: the slug cannot change", slug)
	}
	if err := validate(cfg); err != nil {
		return err
	}
	sign, enc, err := e.providerKeys(cfg, &old)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.providerForSlugLocked(slug)
	if cur == nil {
		return fmt.Errorf("no provider with slug %q", slug)
	}
	if other := e.providerByClientIDLocked(cfg.ClientID); other != nil && other.pk != cur.pk {
		return fmt.Errorf("client ID %q already exists", cfg.ClientID)
	}
	mappings, err := e.scopeMappingIDsLocked(cfg)
	if err != nil {
		return err
	}
	next := *cur
	e.applyProviderLocked(&next, cfg, mappings, sign, enc)
	e.providers[cur.pk] = &next
	if app := e.apps[slug]; app != nil {
		a := *app
		a.denyPolicy = cfg.DenyPolicy
		a.provider = cur.pk
		if cfg.Detached {
			a.provider = 0
		}
		e.apps[slug] = &a
	}
	return nil
}

// SetSubMode changes a provider's subject mode.
func (e *Emulator) SetSubMode(slug, mode string) error {
	return e.Update(slug, func(p *Provider) { p.SubMode = mode })
}

// RotateKey gives a provider a new signing keypair of the same type, with a new kid. Only the
// new key is published, as after selecting another keypair in authentik.
func (e *Emulator) RotateKey(slug string) error {
	p, ok := e.Provider(slug)
	if !ok {
		return fmt.Errorf("no provider with slug %q", slug)
	}
	old := e.keypair(p.SigningKey)
	if old == nil {
		return fmt.Errorf("provider %s has no signing key to rotate", slug)
	}
	k, err := e.generatedKeypair(slug+"-signing", old.typ)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.providerForSlugLocked(slug)
	if cur == nil {
		return fmt.Errorf("no provider with slug %q", slug)
	}
	next := *cur
	next.signingKey = k.uuid
	e.providers[cur.pk] = &next
	return nil
}

// KeyID is the kid of a provider's current signing key; empty without one.
func (e *Emulator) KeyID(slug string) string {
	p, ok := e.Provider(slug)
	if !ok {
		return ""
	}
	k := e.keypair(p.SigningKey)
	if k == nil {
		return ""
	}
	m, err := k.material()
	if err != nil {
		return ""
	}
	return m.kid
}

// Provider returns the current configuration of the provider a slug names, whether it was made
// with AddProvider or through the admin API and bound to the application with that slug.
func (e *Emulator) Provider(slug string) (Provider, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.providerForSlugLocked(slug)
	if p == nil {
		return Provider{}, false
	}
	return e.publicProviderLocked(slug, p), true
}

func (e *Emulator) publicProviderLocked(slug string, p *providerState) Provider {
	out := Provider{Slug: slug, Name: p.name, ClientID: p.clientID, ClientSecret: p.clientSecret, ClientType: p.clientType,
		SubMode: p.subMode, IssuerMode: p.issuerMode, Signing: SigningNone, SigningKey: p.signingKey,
		Encrypted: p.encryptionKey != "", Validity: p.accessTokenValidity, IncludeClaims: p.includeClaims,
		LegacyRedirectURIs: p.legacyRedirectURIs, Scopes: e.scopeNamesLocked(p), GrantTypes: cloneStrings(p.grantTypes), PK: p.pk}
	if k := e.keypairs[p.signingKey]; k != nil {
		for alg, typ := range signingKeyTypes {
			if typ == k.typ {
				out.Signing = alg
			}
		}
	}
	for _, u := range p.redirectURIs {
		out.RedirectURIs = append(out.RedirectURIs, u.URL)
	}
	app := e.apps[slug]
	out.Detached = app == nil || app.provider != p.pk
	out.DenyPolicy = app != nil && app.denyPolicy
	return out
}
