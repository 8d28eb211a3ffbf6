package wif

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// What wifwiz reads and writes through authentik's admin API (docs/architecture.md: actions
// declares the interface, the authentik package implements it). None of these types has a field
// for a client secret or an API token.

// AuthentikTarget is the authentik instance an admin API call goes to. APIToken is used for the
// call only and never kept.
type AuthentikTarget struct {
	URL      string // authentik's base URL, e.g. https://authentik.company
	CAPEM    string // extra trusted CA for authentik
	APIToken string
}

// AuthentikLookup says which objects to read. The provider is found by ProviderPK when one is
// recorded (and still exists), else by ClientID, else by ProviderName.
type AuthentikLookup struct {
	ProviderPK   int64
	ClientID     string
	ProviderName string
	AppSlug      string // the application to read; empty: none
	// Catalog also reads what a new provider refers to: keypairs with a private key, the
	// authorization and invalidation flows and the managed scope mappings.
	Catalog bool
}

// AuthentikState is what the admin API showed. A nil Provider or Application was not found.
type AuthentikState struct {
	Version     string // authentik's version_current; "" when the version endpoint did not answer
	Provider    *AuthentikProvider
	Application *AuthentikApplication
	// FoundBy says how Provider was found: "pk", "client_id" or "name".
	FoundBy       string
	Keypairs      []AuthentikKeypair
	Flows         []AuthentikFlow
	ScopeMappings []AuthentikScopeMapping
}

// GrantTypesSupported reports whether this authentik has providers' grant_types: the provider
// read shows them, or the version is 2026.5 or later. known is false when neither tells.
func (s AuthentikState) GrantTypesSupported() (has, known bool) {
	if s.Provider != nil && s.Provider.GrantTypes != nil {
		return true, true
	}
	return AuthentikHasGrantTypes(s.Version)
}

// AuthentikProvider is an OAuth2 provider as the admin API shows it, with its keypairs resolved.
type AuthentikProvider struct {
	PK                     int64
	Name                   string
	ClientType             string // confidential | public
	ClientID               string
	AccessTokenValidity    string // e.g. hours=1
	IncludeClaimsInIDToken bool
	SigningKey             AuthentikKeyRef // PK empty: none selected
	EncryptionKey          AuthentikKeyRef
	RedirectURIs           []string
	SubMode                string // Sub*
	IssuerMode             string // IssuerMode*
	AuthorizationFlow      string // flow UUIDs
	InvalidationFlow       string
	PropertyMappings       []string // scope mapping UUIDs
	GrantTypes             []string // nil: this authentik has no grant types on providers
	ApplicationSlug        string   // the application the provider is bound to; "" when none
	ApplicationName        string
}

// AuthentikKeyRef is a provider's signing or encryption keypair. Name and KeyType are empty when
// the keypair could not be read; KeyType is rsa, ec, dsa, ed25519 or ed448.
type AuthentikKeyRef struct {
	PK            string
	Name          string
	KeyType       string
	HasPrivateKey bool
}

// Selected reports whether a keypair is selected.
func (k AuthentikKeyRef) Selected() bool { return k.PK != "" }

// Label names the keypair for a person: its name (else its key) and its type, "" when none is
// selected.
func (k AuthentikKeyRef) Label() string {
	if !k.Selected() {
		return ""
	}
	name := k.Name
	if name == "" {
		name = k.PK
	}
	if k.KeyType != "" {
		return fmt.Sprintf("%s (%s)", name, k.KeyType)
	}
	return name
}

// CanSignJWTs reports whether authentik can sign tokens with the keypair: RSA or EC with its
// private key. known is false when the key type could not be read.
func (k AuthentikKeyRef) CanSignJWTs() (ok, known bool) {
	if k.KeyType == "" {
		return false, false
	}
	return (k.KeyType == KeyTypeRSA || k.KeyType == KeyTypeEC) && k.HasPrivateKey, true
}

// Key types of authentik's keypairs that can sign JWTs.
const (
	KeyTypeRSA = "rsa"
	KeyTypeEC  = "ec"
)

// AuthentikKeypair is a certificate-key pair.
type AuthentikKeypair struct {
	PK            string
	Name          string
	KeyType       string // rsa, ec, …; "" when this authentik does not say
	HasPrivateKey bool
	Managed       string
}

// Ref is the keypair as a provider refers to it.
func (k AuthentikKeypair) Ref() AuthentikKeyRef {
	return AuthentikKeyRef{PK: k.PK, Name: k.Name, KeyType: k.KeyType, HasPrivateKey: k.HasPrivateKey}
}

// AuthentikFlow is a flow a provider refers to.
type AuthentikFlow struct {
	PK          string
	Slug        string
	Designation string // authorization | invalidation | …
}

// AuthentikScopeMapping is a scope mapping a provider may use.
type AuthentikScopeMapping struct {
	PK        string
	Managed   string
	ScopeName string
}

// AuthentikApplication is an application; ProviderPK 0 means no provider is bound.
type AuthentikApplication struct {
	PK         string // UUID
	Name       string
	Slug       string
	ProviderPK int64
}

// ProviderSpec is a provider as wifwiz would create it, and the values it keeps it at.
type ProviderSpec struct {
	Name                string
	ClientType          string
	SubMode             string
	IssuerMode          string
	AccessTokenValidity string
	SigningKey          string   // keypair UUID
	AuthorizationFlow   string   // flow UUIDs
	InvalidationFlow    string   //
	PropertyMappings    []string // scope mapping UUIDs; nil: not set
	GrantTypes          []string // nil: not sent (this authentik has none)
	ClearRedirectURIs   bool     // send an empty list
	ClearEncryptionKey  bool     // send null
}

// ApplicationSpec is an application as wifwiz would create it.
type ApplicationSpec struct {
	Name       string
	Slug       string
	ProviderPK int64
}

// The flows and scopes wifwiz asks for (authentik's default blueprints ship these).
const (
	DefaultAuthorizationFlow = "default-provider-authorization-implicit-consent"
	DefaultInvalidationFlow  = "default-provider-invalidation-flow"
	SelfSignedKeypairName    = "authentik Self-signed Certificate"
	GrantClientCredentials   = "client_credentials"
)

// ManagedScopeMapping is the managed identifier of the built-in scope mapping for scope.
func ManagedScopeMapping(scope string) string {
	return "goauthentik.io/providers/oauth2/scope-" + scope
}

// WIFScopes are the scopes of the provider wifwiz creates: what DefaultScope requests.
var WIFScopes = strings.Fields(DefaultScope)

// AuthentikHasGrantTypes tells from an authentik version (version_current, e.g. 2026.5.1)
// whether its providers have grant_types, which arrived in 2026.5 but not in its first release
// candidate. known is false for an empty or unreadable version and for 2026.5 pre-releases.
func AuthentikHasGrantTypes(version string) (has, known bool) {
	v, pre, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(version), "v"), "-")
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return false, false
	}
	year, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false, false
	}
	switch {
	case year > 2026 || year == 2026 && minor > 5:
		return true, true
	case year == 2026 && minor == 5:
		return pre == "", pre == ""
	}
	return false, true
}

// Errors an authentik admin API adapter wraps, for the use cases to explain.
var (
	// ErrAuthentikTokenRefused: authentik did not accept the API token at all (401/403 on a read).
	ErrAuthentikTokenRefused = errors.New("authentik refused the API token")
	// ErrAuthentikWriteRefused: the token may read but not change (403 on a write).
	ErrAuthentikWriteRefused = errors.New("authentik refused the change")
)
