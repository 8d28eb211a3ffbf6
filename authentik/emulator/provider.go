package emulator

import (
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Issuer modes of an authentik OAuth2 provider (authentik.md, "Issuer").
const (
	IssuerPerProvider = "per_provider"
	IssuerGlobal      = "global"
)

// Provider configures one emulated OAuth2 provider and the application it belongs to; the
// application's slug is Slug. Zero values take authentik's defaults, except IncludeClaims.
type Provider struct {
	Slug          string // application slug: /application/o/<slug>/
	Name          string // as typed; the generated account is ak-<Name>-client_credentials. Default: Slug
	ClientID      string // default: 40 random characters
	ClientSecret  string // default: 128 random characters; at least 32 bytes when Signing is none
	ClientType    string // confidential (default) or public; only the admin API shows it
	SubMode       string // wif.Sub*; default hashed_user_id
	IssuerMode    string // per_provider (default) or global
	Signing       string // RS256 (default), ES256, ES384 or none (tokens become HS256)
	Encrypted     bool   // an encryption key is selected: tokens become JWEs
	Validity      string // access_token_validity; default hours=1
	Detached      bool   // the application does not reference the provider (authentik's default is attached)
	IncludeClaims bool   // include claims in id_token
	DenyPolicy    bool   // a policy bound to the application denies the service account
	RedirectURIs  []string
	// LegacyRedirectURIs makes the admin API show redirect_uris as one newline-separated
	// string, as authentik did before 2024.12.
	LegacyRedirectURIs bool
}

// provider is a Provider with what authentik derives from it. Values are replaced, never
// mutated, so a handler can keep a copy while the configuration changes.
type provider struct {
	Provider
	pk       int
	userPK   int    // the generated service account's primary key
	userUUID string // and its UUID
	appUUID  string // the application's primary key
	sign     *signingKey
	enc      *encryptionKey
}

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
	p.Signing = orDefault(p.Signing, RS256)
	p.Validity = orDefault(p.Validity, "hours=1")
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
	switch p.SubMode {
	case wif.SubHashedUserID, wif.SubUserID, wif.SubUserUUID, wif.SubUsername, wif.SubEmail, wif.SubUPN:
	default:
		return fmt.Errorf("provider %s: unknown subject mode %q", p.Slug, p.SubMode)
	}
	if p.IssuerMode != IssuerPerProvider && p.IssuerMode != IssuerGlobal {
		return fmt.Errorf("provider %s: issuer mode %q: use per_provider or global", p.Slug, p.IssuerMode)
	}
	if p.ClientType != "confidential" && p.ClientType != "public" {
		return fmt.Errorf("provider %s: client type %q: use confidential or public", p.Slug, p.ClientType)
	}
	if _, err := wif.ParseValidity(p.Validity); err != nil {
		return fmt.Errorf("provider %s: %w", p.Slug, err)
	}
	if p.Signing == SigningNone && len(p.ClientSecret) < 32 {
		return fmt.Errorf("provider %s: without a signing key tokens are HS256 keyed with the client secret, which must then be at least 32 bytes", p.Slug)
	}
	return nil
}

// AddProvider registers a provider and returns it with the defaults filled in (generated
// client ID and secret included).
func (e *Emulator) AddProvider(p Provider) (Provider, error) {
	p = withDefaults(p)
	if err := validate(p); err != nil {
		return Provider{}, err
	}
	prov := &provider{Provider: p, userUUID: randomUUID(), appUUID: randomUUID()}
	if err := prov.ensureKeys(nil); err != nil {
		return Provider{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.providers[p.Slug]; dup {
		return Provider{}, fmt.Errorf("provider slug %q already exists", p.Slug)
	}
	if e.byClientIDLocked(p.ClientID) != nil {
		return Provider{}, fmt.Errorf("client ID %q already exists", p.ClientID)
	}
	e.nextPK++
	prov.pk = e.nextPK
	prov.userPK = 1000 + e.nextPK
	e.providers[p.Slug] = prov
	return p, nil
}

// ensureKeys gives p the keys its configuration asks for, keeping those of old that still fit.
func (p *provider) ensureKeys(old *provider) error {
	if old != nil && old.Signing == p.Signing {
		p.sign = old.sign
	} else if k, err := newSigningKey(p.Signing); err != nil {
		return err
	} else {
		p.sign = k
	}
	p.enc = nil
	if !p.Encrypted {
		return nil
	}
	if old != nil && old.enc != nil {
		p.enc = old.enc
		return nil
	}
	k, err := newEncryptionKey()
	p.enc = k
	return err
}

// Update changes a provider at run time. The slug cannot change; a changed Signing gets a new
// key, as selecting another keypair in authentik does.
func (e *Emulator) Update(slug string, change func(*Provider)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	old, ok := e.providers[slug]
	if !ok {
		return fmt.Errorf("no provider with slug %q", slug)
	}
	cfg := old.Provider
	cfg.RedirectURIs = append([]string(nil), cfg.RedirectURIs...)
	change(&cfg)
	cfg = withDefaults(cfg)
	if cfg.Slug != slug {
		return fmt.Errorf("provider %s: the slug cannot change", slug)
	}
	if err := validate(cfg); err != nil {
		return err
	}
	if other := e.byClientIDLocked(cfg.ClientID); other != nil && other.Slug != slug {
		return fmt.Errorf("client ID %q already exists", cfg.ClientID)
	}
	next := *old
	next.Provider = cfg
	if err := next.ensureKeys(old); err != nil {
		return err
	}
	e.providers[slug] = &next
	return nil
}

// SetSubMode changes a provider's subject mode.
func (e *Emulator) SetSubMode(slug, mode string) error {
	return e.Update(slug, func(p *Provider) { p.SubMode = mode })
}

// RotateKey gives a provider a new signing key of the same type, with a new kid. Only the new
// key is published, as after selecting another keypair in authentik.
func (e *Emulator) RotateKey(slug string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	old, ok := e.providers[slug]
	if !ok {
		return fmt.Errorf("no provider with slug %q", slug)
	}
	if old.sign == nil {
		return fmt.Errorf("provider %s has no signing key to rotate", slug)
	}
	k, err := newSigningKey(old.Signing)
	if err != nil {
		return err
	}
	next := *old
	next.sign = k
	e.providers[slug] = &next
	return nil
}

// KeyID is the kid of a provider's current signing key; empty without one.
func (e *Emulator) KeyID(slug string) string {
	p, ok := e.provider(slug)
	if !ok || p.sign == nil {
		return ""
	}
	return p.sign.kid
}

// Provider returns a provider's current configuration.
func (e *Emulator) Provider(slug string) (Provider, bool) {
	p, ok := e.provider(slug)
	return p.Provider, ok
}

func (e *Emulator) provider(slug string) (provider, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.providers[slug]
	if !ok {
		return provider{}, false
	}
	return *p, true
}

func (e *Emulator) providerByClientID(clientID string) (provider, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.byClientIDLocked(clientID)
	if p == nil {
		return provider{}, false
	}
	return *p, true
}

func (e *Emulator) byClientIDLocked(clientID string) *provider {
	for _, p := range e.providers {
		if p.ClientID == clientID {
			return p
		}
	}
	return nil
}
