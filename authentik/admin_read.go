package authentik

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// apiProvider is an OAuth2 provider as authentik's admin API shows it. It deliberately has no
// field for the client secret the API returns in clear, so the secret is never decoded.
type apiProvider struct {
	PK                      int64        `json:"pk"`
	Name                    string       `json:"name"`
	ClientType              string       `json:"client_type"`
	ClientID                string       `json:"client_id"`
	AccessTokenValidity     string       `json:"access_token_validity"`
	IncludeClaimsInIDToken  bool         `json:"include_claims_in_id_token"`
	SigningKey              string       `json:"signing_key"`
	EncryptionKey           string       `json:"encryption_key"`
	RedirectURIs            RedirectURIs `json:"redirect_uris"`
	SubMode                 string       `json:"sub_mode"`
	IssuerMode              string       `json:"issuer_mode"`
	AuthorizationFlow       string       `json:"authorization_flow"`
	InvalidationFlow        string       `json:"invalidation_flow"`
	PropertyMappings        []string     `json:"property_mappings"`
	GrantTypes              *[]string    `json:"grant_types"` // absent before authentik 2026.5
	AssignedApplicationSlug string       `json:"assigned_application_slug"`
	AssignedApplicationName string       `json:"assigned_application_name"`
}

func (p apiProvider) domain() wif.AuthentikProvider {
	out := wif.AuthentikProvider{PK: p.PK, Name: p.Name, ClientType: p.ClientType, ClientID: p.ClientID,
		AccessTokenValidity: p.AccessTokenValidity, IncludeClaimsInIDToken: p.IncludeClaimsInIDToken,
		SigningKey: wif.AuthentikKeyRef{PK: p.SigningKey}, EncryptionKey: wif.AuthentikKeyRef{PK: p.EncryptionKey},
		SubMode: p.SubMode, IssuerMode: p.IssuerMode, AuthorizationFlow: p.AuthorizationFlow, InvalidationFlow: p.InvalidationFlow,
		PropertyMappings: p.PropertyMappings, ApplicationSlug: p.AssignedApplicationSlug, ApplicationName: p.AssignedApplicationName}
	for _, r := range p.RedirectURIs {
		out.RedirectURIs = append(out.RedirectURIs, r.URL)
	}
	if p.GrantTypes != nil {
		out.GrantTypes = append([]string{}, *p.GrantTypes...)
	}
	return out
}

// RedirectURI is one redirect URI; MatchingMode is empty for the older string form.
type RedirectURI struct {
	MatchingMode string `json:"matching_mode"`
	URL          string `json:"url"`
}

// RedirectURIs decodes both shapes authentik has used: a list of {matching_mode, url}
// (since 2024.12) and one newline-separated string (before).
type RedirectURIs []RedirectURI

func (r *RedirectURIs) UnmarshalJSON(b []byte) error {
	b = []byte(strings.TrimSpace(string(b)))
	switch {
	case string(b) == "null":
		*r = nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("redirect_uris string: %w", err)
		}
		*r = nil
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				*r = append(*r, RedirectURI{URL: line})
			}
		}
	default:
		var list []RedirectURI
		if err := json.Unmarshal(b, &list); err != nil {
			return errors.New("redirect_uris is neither a list of {matching_mode, url} nor a string")
		}
		*r = list
	}
	return nil
}

type apiKeypair struct {
	PK                  string `json:"pk"`
	Name                string `json:"name"`
	PrivateKeyAvailable bool   `json:"private_key_available"`
	KeyType             string `json:"key_type"`         // from 2025.12
	PrivateKeyType      string `json:"private_key_type"` // before: rsa, ellipticcurve, …
	Managed             string `json:"managed"`
}

func (k apiKeypair) domain() wif.AuthentikKeypair {
	typ := k.KeyType
	if typ == "" {
		typ = strings.Replace(k.PrivateKeyType, "ellipticcurve", wif.KeyTypeEC, 1)
	}
	return wif.AuthentikKeypair{PK: k.PK, Name: k.Name, KeyType: typ, HasPrivateKey: k.PrivateKeyAvailable, Managed: k.Managed}
}

type apiApplication struct {
	PK       string `json:"pk"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	Provider *int64 `json:"provider"`
}

func (a apiApplication) domain() *wif.AuthentikApplication {
	out := &wif.AuthentikApplication{PK: a.PK, Name: a.Name, Slug: a.Slug}
	if a.Provider != nil {
		out.ProviderPK = *a.Provider
	}
	return out
}

type apiFlow struct {
	PK          string `json:"pk"`
	Slug        string `json:"slug"`
	Designation string `json:"designation"`
}

type apiScopeMapping struct {
	PK        string `json:"pk"`
	Managed   string `json:"managed"`
	ScopeName string `json:"scope_name"`
}

// page is authentik's list envelope.
type page[T any] struct {
	Pagination struct {
		Next int `json:"next"`
	} `json:"pagination"`
	Results []T `json:"results"`
}

// maxPages bounds a list read; wifwiz's lists (keypairs, flows) are short.
const maxPages = 10

func list[T any](ctx context.Context, c *Client, t wif.AuthentikTarget, path string, q url.Values) ([]T, error) {
	var out []T
	q.Set("page_size", "100")
	for n := 1; n <= maxPages; n++ {
		q.Set("page", strconv.Itoa(n))
		var p page[T]
		if err := c.api(ctx, t, http.MethodGet, path+"?"+q.Encode(), nil, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Results...)
		if p.Pagination.Next == 0 {
			break
		}
	}
	return out, nil
}

// ReadState reads what q asks of authentik through its admin API. A provider or application
// that is not found is nil in the state, not an error; a refused token or an unreachable
// authentik is.
func (c *Client) ReadState(ctx context.Context, t wif.AuthentikTarget, q wif.AuthentikLookup) (wif.AuthentikState, error) {
	st := wif.AuthentikState{Version: c.version(ctx, t)}
	p, foundBy, err := c.findProvider(ctx, t, q)
	if err != nil {
		return st, err
	}
	if p != nil {
		d := p.domain()
		d.SigningKey = c.keyRef(ctx, t, p.SigningKey)
		d.EncryptionKey = c.keyRef(ctx, t, p.EncryptionKey)
		st.Provider, st.FoundBy = &d, foundBy
	}
	if q.AppSlug != "" {
		if st.Application, err = c.application(ctx, t, q.AppSlug); err != nil {
			return st, err
		}
	}
	if q.Catalog {
		err = c.readCatalog(ctx, t, &st)
	}
	return st, err
}

// version is authentik's version_current; "" when the endpoint does not answer.
func (c *Client) version(ctx context.Context, t wif.AuthentikTarget) string {
	var v struct {
		Current string `json:"version_current"`
	}
	if c.api(ctx, t, http.MethodGet, "admin/version/", nil, &v) != nil {
		return ""
	}
	return v.Current
}

func (c *Client) findProvider(ctx context.Context, t wif.AuthentikTarget, q wif.AuthentikLookup) (*apiProvider, string, error) {
	if q.ProviderPK > 0 {
		var p apiProvider
		err := c.api(ctx, t, http.MethodGet, fmt.Sprintf("providers/oauth2/%d/", q.ProviderPK), nil, &p)
		var apiErr *APIError
		switch {
		case err == nil:
			return &p, "pk", nil
		case !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound:
			return nil, "", err
		}
	}
	for _, by := range []struct{ field, value string }{{"client_id", q.ClientID}, {"name", q.ProviderName}} {
		if by.value == "" {
			continue
		}
		found, err := list[apiProvider](ctx, c, t, "providers/oauth2/", url.Values{by.field: {by.value}})
		if err != nil {
			return nil, "", err
		}
		for _, p := range found {
			if by.field == "client_id" && p.ClientID == by.value || by.field == "name" && p.Name == by.value {
				return &p, by.field, nil
			}
		}
	}
	return nil, "", nil
}

// keyRef resolves a keypair a provider refers to; a keypair that cannot be read keeps only its
// UUID, and its type is unknown.
func (c *Client) keyRef(ctx context.Context, t wif.AuthentikTarget, pk string) wif.AuthentikKeyRef {
	if pk == "" {
		return wif.AuthentikKeyRef{}
	}
	var k apiKeypair
	if c.api(ctx, t, http.MethodGet, "crypto/certificatekeypairs/"+url.PathEscape(pk)+"/", nil, &k) != nil {
		return wif.AuthentikKeyRef{PK: pk}
	}
	return k.domain().Ref()
}

func (c *Client) application(ctx context.Context, t wif.AuthentikTarget, slug string) (*wif.AuthentikApplication, error) {
	var a apiApplication
	err := c.api(ctx, t, http.MethodGet, "core/applications/"+url.PathEscape(slug)+"/", nil, &a)
	var apiErr *APIError
	switch {
	case err == nil:
		return a.domain(), nil
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound:
		return nil, nil
	}
	return nil, err
}

// readCatalog reads what a new provider refers to: keypairs with a private key, the flows it
// needs and the managed scope mappings of the scopes wifwiz requests.
func (c *Client) readCatalog(ctx context.Context, t wif.AuthentikTarget, st *wif.AuthentikState) error {
	keys, err := list[apiKeypair](ctx, c, t, "crypto/certificatekeypairs/", url.Values{"has_key": {"true"}})
	if err != nil {
		return err
	}
	for _, k := range keys {
		st.Keypairs = append(st.Keypairs, k.domain())
	}
	for _, designation := range []string{"authorization", "invalidation"} {
		flows, err := list[apiFlow](ctx, c, t, "flows/instances/", url.Values{"designation": {designation}})
		if err != nil {
			return err
		}
		for _, f := range flows {
			st.Flows = append(st.Flows, wif.AuthentikFlow(f))
		}
	}
	managed := url.Values{}
	for _, s := range wif.WIFScopes {
		managed.Add("managed", wif.ManagedScopeMapping(s))
	}
	mappings, err := list[apiScopeMapping](ctx, c, t, "propertymappings/provider/scope/", managed)
	if err != nil {
		return err
	}
	for _, m := range mappings {
		st.ScopeMappings = append(st.ScopeMappings, wif.AuthentikScopeMapping(m))
	}
	return nil
}
