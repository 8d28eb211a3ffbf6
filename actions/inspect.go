package actions

import (
	"context"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// inspectTimeout bounds one read of a provider through authentik's admin API.
const inspectTimeout = 15 * time.Second

// InspectRequest reads a provider's settings with an authentik API token that is used for this
// request only. Connection carries the values as typed, saved or not: authentik URL, CA, client
// ID, provider name, subject mode, issuer URL…
type InspectRequest struct {
	Connection wif.Connection
	APIToken   string
}

// ProviderValues are a provider's settings as the wizard records them ("Use these values").
type ProviderValues struct {
	ClientID            string
	AccessTokenValidity string
	SubjectMode         string
	IssuerMode          string
	ProviderName        string
	AppSlug             string
}

// Inspection is a provider read through the admin API and judged.
type Inspection struct {
	Items    []wif.ChecklistItem
	Provider wif.AuthentikProvider
	Version  string
	Values   ProviderValues
	FoundBy  string // client_id, name or pk
}

// InspectProvider reads the provider through authentik's admin API — found by the typed client
// ID, else the recorded provider key, else the provider name — and judges each setting against
// what federation needs and what is typed. Without a typed token it uses the one the
// connection's reference gives, as planning does. A missing input is an EINVALID error naming
// the field.
func (s *Service) InspectProvider(ctx context.Context, r InspectRequest) (Inspection, error) {
	c := r.Connection
	token, err := s.givenOrStored(r.APIToken, c, authentikSlot)
	if err != nil {
		return Inspection{}, invalidField("api_token", err.Error()) // a generic message, safe to show
	}
	r.APIToken = token
	switch {
	case r.APIToken == "":
		return Inspection{}, invalidField("api_token", "Enter an authentik API token to read the provider's settings.")
	case c.ClientID == "" && c.ProviderName == "" && c.ProviderPK == 0:
		return Inspection{}, invalidField(wif.FieldClientID, "Enter the Client ID (or the provider name): wifwiz looks the provider up by it.")
	case c.AuthentikURL == "":
		return Inspection{}, invalidField(wif.FieldAuthentikURL, "Record the authentik URL on the Basics step first.")
	}
	if p := wif.ValidateProvider(wif.Connection{CAPEM: c.CAPEM})[wif.FieldCAPEM]; p != "" {
		return Inspection{}, invalidField(wif.FieldCAPEM, p)
	}
	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	st, err := s.authentik.ReadAuthentik(ctx, targetOf(c, r.APIToken),
		wif.AuthentikLookup{ProviderPK: c.ProviderPK, ClientID: c.ClientID, ProviderName: c.ProviderName})
	switch {
	case err != nil:
		return Inspection{}, invalidField("api_token", "authentik's admin API: "+err.Error())
	case st.Provider == nil:
		return Inspection{}, invalidField(wif.FieldClientID, notFoundMessage(c))
	}
	p := *st.Provider
	return Inspection{Items: verify.ProviderChecklist(p, wif.ExpectationsOf(c)), Provider: p, Version: st.Version, FoundBy: st.FoundBy,
		Values: ProviderValues{ClientID: p.ClientID, AccessTokenValidity: p.AccessTokenValidity, SubjectMode: p.SubMode,
			IssuerMode: p.IssuerMode, ProviderName: p.Name, AppSlug: p.ApplicationSlug}}, nil
}

func notFoundMessage(c wif.Connection) string {
	if c.ClientID != "" {
		return "authentik has no OAuth2 provider with Client ID " + c.ClientID + ": copy it again from the provider's page, or create the provider (Create it for me)."
	}
	return "authentik has no OAuth2 provider named " + c.ProviderName + ": check the name, or create the provider (Create it for me)."
}

// targetOf is the authentik instance c records, with an API token for one call.
func targetOf(c wif.Connection, apiToken string) wif.AuthentikTarget {
	return wif.AuthentikTarget{URL: wif.ExpectationsOf(c).AuthentikURL, CAPEM: c.CAPEM, APIToken: apiToken}
}

func invalidField(field, msg string) error {
	return &wif.Error{Code: wif.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// CurrentJWKS is the issuer's published key set for a Console that takes inline keys.
func (s *Service) CurrentJWKS(ctx context.Context, c wif.Connection) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	return s.verifier.CurrentJWKS(ctx, c)
}
