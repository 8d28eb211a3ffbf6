package actions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Objects of the authentik side of a plan.
const (
	objProvider    = "OAuth2 provider"
	objApplication = "application"
)

// akPlan is the authentik side of a plan with what applying it needs: the full provider for a
// create, only the differing fields for an update.
type akPlan struct {
	target   wif.AuthentikTarget
	state    wif.AuthentikState
	want     wif.WantedProvider
	create   wif.ProviderSpec // every field, for a new provider
	change   wif.ProviderSpec // the fields that differ, for an existing one
	provider wif.PlanStep
	app      wif.PlanStep
}

func (p akPlan) steps() []wif.PlanStep { return []wif.PlanStep{p.provider, p.app} }

// planAuthentik is the authentik side of a plan: the OAuth2 provider and its application.
func (s *Service) planAuthentik(ctx context.Context, r PlanRequest) ([]wif.PlanStep, error) {
	p, err := s.authentikPlan(ctx, r)
	if err != nil {
		return nil, err
	}
	return p.steps(), nil
}

func (s *Service) authentikPlan(ctx context.Context, r PlanRequest) (akPlan, error) {
	c := r.Connection
	if err := planInputProblem(c, r.Choices); err != nil {
		return akPlan{}, err
	}
	token, err := s.authentikToken(c, r.Credentials)
	if err != nil {
		return akPlan{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	p := akPlan{target: targetOf(c, token), want: wif.WantedProviderFor(c, r.Choices.SubjectMode, r.Choices.SigningKey)}
	p.state, err = s.authentik.ReadAuthentik(ctx, p.target, wif.AuthentikLookup{ProviderPK: c.ProviderPK, ClientID: c.ClientID,
		ProviderName: p.want.Name, AppSlug: c.AppSlug, Catalog: true})
	if err != nil {
		return akPlan{}, authentikError("read the provider and the application", err)
	}
	if err := p.planProvider(); err != nil {
		return akPlan{}, err
	}
	return p, p.planApplication()
}

// planInputProblem says what the connection or the choices lack for a plan.
func planInputProblem(c wif.Connection, ch PlanChoices) error {
	switch {
	case c.AuthentikURL == "":
		return invalidField(wif.FieldAuthentikURL, "Record the authentik URL (the Basics step, or check --save) before planning the authentik side.")
	case c.AppSlug == "":
		return invalidField(wif.FieldAppSlug, "Record the application slug (the Basics step) before planning the authentik side: the application is created with it.")
	}
	if msg := wif.SubjectModeProblem(ch.SubjectMode); msg != "" {
		return invalidField(wif.FieldSubjectMode, "Subject mode: "+msg+".")
	}
	// Apply records these values: they pass the provider step's rules (a client ID is only
	// known once the provider exists; an empty validity is the Console's maximum).
	fe := ValidateStep(StepProvider, c)
	if c.ClientID == "" {
		delete(fe, wif.FieldClientID)
	}
	if c.AccessTokenValidity == "" {
		delete(fe, wif.FieldAccessTokenValidity)
	}
	if len(fe) > 0 {
		return &wif.Error{Code: wif.EINVALID, Message: fe.Err().Error(), Fields: fe}
	}
	return nil
}

// authentikToken is the typed token, else the one the connection's reference gives.
func (s *Service) authentikToken(c wif.Connection, given Credentials) (string, error) {
	token, err := s.givenOrStored(given.AuthentikToken, c, authentikSlot)
	if err != nil {
		return "", err
	}
	if token == "" {
		return "", &wif.Error{Code: wif.EINVALID, Message: "Give an authentik API token (Directory → Tokens and App passwords, intent API): --authentik-token-file or WIFWIZ_AUTHENTIK_TOKEN, or a reference recorded with --authentik-token-ref; in the wizard, type it on the provider step.",
			Fields: map[string]string{"api_token": "Enter an authentik API token: it is used for this request only."}}
	}
	return token, nil
}

// authentikError explains what authentik's admin API refused; the rest is an internal error.
func authentikError(doing string, err error) error {
	switch {
	case errors.Is(err, wif.ErrAuthentikWriteRefused):
		msg := "authentik refused to let this API token change anything (HTTP 403): its user may read providers and applications, but not add or change them. Use a token of a user with the permissions to add and change OAuth2 providers and applications (e.g. an administrator's), or create them by hand as the provider step lists. (" + err.Error() + ")"
		return &wif.Error{Code: wif.EINVALID, Message: msg, Fields: map[string]string{"api_token": msg}}
	case errors.Is(err, wif.ErrAuthentikTokenRefused):
		msg := "authentik did not accept the API token: " + err.Error()
		return &wif.Error{Code: wif.EINVALID, Message: msg, Fields: map[string]string{"api_token": msg}}
	}
	return &wif.Error{Code: wif.EINVALID, Message: "authentik's admin API: could not " + doing + ": " + err.Error()}
}

// planProvider compares the provider found (if any) with the one wanted.
func (p *akPlan) planProvider() error {
	key, err := p.signingKey()
	if err != nil {
		return err
	}
	grants, note := p.grantTypes()
	cur := p.state.Provider
	p.provider = wif.PlanStep{Side: wif.SideAuthentik, Object: objProvider, Name: p.want.Name, Note: note}
	if cur == nil {
		return p.planNewProvider(key, grants)
	}
	p.provider.ID = fmt.Sprint(cur.PK)
	p.provider.Name = cur.Name
	p.diffProvider(*cur, key, grants)
	p.provider.Action = wif.PlanKeep
	if len(p.provider.Fields) > 0 {
		p.provider.Action = wif.PlanUpdate
	}
	if cur.Name != p.want.Name {
		p.provider.Note = join(p.provider.Note, fmt.Sprintf("found by %s; it is named %q (the connection records %q), and keeps its name", foundByLabel(p.state.FoundBy), cur.Name, p.want.Name))
	}
	return nil
}

func foundByLabel(by string) string {
	switch by {
	case "pk":
		return "the recorded provider key"
	case "client_id":
		return "its Client ID"
	}
	return "its name"
}

func (p *akPlan) planNewProvider(key wif.AuthentikKeypair, grants []string) error {
	authz, err := p.flow("authorization", wif.DefaultAuthorizationFlow)
	if err != nil {
		return err
	}
	inval, err := p.flow("invalidation", wif.DefaultInvalidationFlow)
	if err != nil {
		return err
	}
	var mappings, scopes []string
	for _, m := range p.state.ScopeMappings {
		mappings, scopes = append(mappings, m.PK), append(scopes, m.ScopeName)
	}
	w := p.want
	p.create = wif.ProviderSpec{Name: w.Name, ClientType: "confidential", SubMode: w.SubMode, IssuerMode: w.IssuerMode,
		AccessTokenValidity: w.AccessTokenValidity, SigningKey: key.PK, AuthorizationFlow: authz.PK, InvalidationFlow: inval.PK,
		PropertyMappings: mappings, GrantTypes: grants, ClearRedirectURIs: true}
	p.provider.Action = wif.PlanCreate
	p.provider.Fields = []wif.PlanField{
		{Name: "name", Wanted: w.Name},
		{Name: "client_type", Wanted: "confidential"},
		{Name: "redirect_uris", Wanted: "(none)"},
		{Name: "signing_key", Wanted: keyLabel(key.Ref())},
		{Name: "encryption_key", Wanted: "(none)"},
		{Name: "sub_mode", Wanted: w.SubMode},
		{Name: "issuer_mode", Wanted: w.IssuerMode},
		{Name: "access_token_validity", Wanted: w.AccessTokenValidity},
		{Name: "authorization_flow", Wanted: authz.Slug},
		{Name: "invalidation_flow", Wanted: inval.Slug},
		{Name: "property_mappings", Wanted: cmp.Or(strings.Join(scopes, ", "), "(none)")},
	}
	if grants != nil {
		p.provider.Fields = append(p.provider.Fields, wif.PlanField{Name: "grant_types", Wanted: strings.Join(grants, ", ")})
	}
	return nil
}

// diffProvider lists, field by field, what differs on an existing provider.
func (p *akPlan) diffProvider(cur wif.AuthentikProvider, key wif.AuthentikKeypair, grants []string) {
	w := p.want
	add := func(name, current, wanted string) {
		p.provider.Fields = append(p.provider.Fields, wif.PlanField{Name: name, Current: current, Wanted: wanted})
	}
	if cur.ClientType != "confidential" {
		p.change.ClientType = "confidential"
		add("client_type", cur.ClientType, "confidential")
	}
	if len(cur.RedirectURIs) > 0 {
		p.change.ClearRedirectURIs = true
		add("redirect_uris", strings.Join(cur.RedirectURIs, ", "), "(none)")
	}
	if key.PK != cur.SigningKey.PK {
		p.change.SigningKey = key.PK
		add("signing_key", keyLabel(cur.SigningKey), keyLabel(key.Ref()))
	}
	if cur.EncryptionKey.Selected() {
		p.change.ClearEncryptionKey = true
		add("encryption_key", keyLabel(cur.EncryptionKey), "(none)")
	}
	if cur.SubMode != w.SubMode {
		p.change.SubMode = w.SubMode
		add("sub_mode", cur.SubMode, w.SubMode)
		p.provider.Note = join(p.provider.Note, "changing the subject mode changes sub: the Console rule's subject prefix must follow")
	}
	if cur.IssuerMode != w.IssuerMode {
		p.change.IssuerMode = w.IssuerMode
		add("issuer_mode", cur.IssuerMode, w.IssuerMode)
	}
	if !sameValidity(cur.AccessTokenValidity, w.AccessTokenValidity) {
		p.change.AccessTokenValidity = w.AccessTokenValidity
		add("access_token_validity", cur.AccessTokenValidity, w.AccessTokenValidity)
	}
	if grants != nil && !slices.Equal(cur.GrantTypes, grants) {
		p.change.GrantTypes = grants
		add("grant_types", cmp.Or(strings.Join(cur.GrantTypes, ", "), "(none)"), strings.Join(grants, ", "))
	}
}

func sameValidity(a, b string) bool {
	da, errA := wif.ParseValidity(a)
	db, errB := wif.ParseValidity(b)
	return errA == nil && errB == nil && da == db
}

// signingKey is the keypair to sign with: the one chosen by name, else the provider's own when
// it can sign JWTs, else authentik's self-signed one, else the first RSA or EC keypair with a
// private key.
func (p *akPlan) signingKey() (wif.AuthentikKeypair, error) {
	var usable []wif.AuthentikKeypair
	for _, k := range p.state.Keypairs {
		if ok, _ := k.Ref().CanSignJWTs(); ok {
			usable = append(usable, k)
		}
	}
	if name := p.want.SigningKeyName; name != "" {
		for _, k := range usable {
			if k.Name == name {
				return k, nil
			}
		}
		return wif.AuthentikKeypair{}, invalidField("signing_key", fmt.Sprintf("authentik has no RSA or EC keypair with a private key named %q; choose one of: %s.", name, keypairNames(usable)))
	}
	if cur := p.state.Provider; cur != nil {
		for _, k := range usable {
			if k.PK == cur.SigningKey.PK {
				return k, nil
			}
		}
	}
	for _, k := range usable {
		if k.Name == wif.SelfSignedKeypairName {
			return k, nil
		}
	}
	if len(usable) == 0 {
		return wif.AuthentikKeypair{}, &wif.Error{Code: wif.EINVALID, Message: "authentik has no RSA or EC keypair with a private key to sign tokens with: create one (System → Certificates → Generate, RSA or ECDSA) and plan again."}
	}
	return usable[0], nil
}

func keypairNames(keys []wif.AuthentikKeypair) string {
	if len(keys) == 0 {
		return "(none: generate one under System → Certificates)"
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = fmt.Sprintf("%q", k.Name)
	}
	return strings.Join(names, ", ")
}

// grantTypes is [client_credentials] when this authentik has grant types on providers; nil with
// a note when it has none or the version cannot tell.
func (p *akPlan) grantTypes() ([]string, string) {
	has, known := p.state.GrantTypesSupported()
	switch {
	case has:
		return []string{wif.GrantClientCredentials}, ""
	case !known:
		return nil, "authentik's version could not be read, so grant_types is left as authentik sets it (it exists from authentik 2026.5)"
	}
	return nil, ""
}

// flow is the flow of a designation: the default one authentik ships, else the first.
func (p *akPlan) flow(designation, preferred string) (wif.AuthentikFlow, error) {
	var first *wif.AuthentikFlow
	for i, f := range p.state.Flows {
		if f.Designation != designation {
			continue
		}
		if f.Slug == preferred {
			return f, nil
		}
		if first == nil {
			first = &p.state.Flows[i]
		}
	}
	if first == nil {
		return wif.AuthentikFlow{}, &wif.Error{Code: wif.EINVALID, Message: fmt.Sprintf("authentik has no flow with designation %s, which a provider requires: restore authentik's default flows (e.g. %s) and plan again.", designation, preferred)}
	}
	return *first, nil
}

// planApplication creates the application, or binds the provider to it.
func (p *akPlan) planApplication() error {
	slug := p.want.AppSlug
	p.app = wif.PlanStep{Side: wif.SideAuthentik, Object: objApplication, Name: slug}
	cur, prov := p.state.Application, p.state.Provider
	if prov != nil && prov.ApplicationSlug != "" && prov.ApplicationSlug != slug {
		return &wif.Error{Code: wif.EINVALID, Message: fmt.Sprintf("Provider %q is the provider of application %q, and authentik allows one application per provider: record slug %s on the Basics step, or unbind the provider from %s first.",
			prov.Name, prov.ApplicationSlug, prov.ApplicationSlug, prov.ApplicationSlug)}
	}
	wanted := "the provider above (created)"
	if prov != nil {
		wanted = fmt.Sprintf("%q (%d)", prov.Name, prov.PK)
	}
	switch {
	case cur == nil:
		p.app.Action = wif.PlanCreate
		p.app.Fields = []wif.PlanField{{Name: "name", Wanted: p.want.AppName}, {Name: "slug", Wanted: slug}, {Name: "provider", Wanted: wanted}}
	case prov != nil && cur.ProviderPK == prov.PK:
		p.app.ID, p.app.Action = cur.PK, wif.PlanKeep
	default:
		p.app.ID, p.app.Action = cur.PK, wif.PlanUpdate
		current := "(none)"
		if cur.ProviderPK != 0 {
			current = fmt.Sprintf("another provider (%d)", cur.ProviderPK)
		}
		p.app.Fields = []wif.PlanField{{Name: "provider", Current: current, Wanted: wanted}}
	}
	return nil
}

func keyLabel(k wif.AuthentikKeyRef) string { return cmp.Or(k.Label(), "(none)") }

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// applyAuthentik carries out the authentik side of the plan and records on the connection what
// it created or found: the provider's key, its client ID and name, the subject mode and validity
// set, and the per-provider issuer URL. A new provider's client secret is returned once.
func (s *Service) applyAuthentik(ctx context.Context, r PlanRequest) (Applied, error) {
	p, err := s.authentikPlan(ctx, r)
	if err != nil {
		return Applied{}, err
	}
	out := Applied{Plan: wif.Plan{Connection: r.Connection.Name, Steps: p.steps()}}
	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	prov, secret, err := s.applyProvider(ctx, p)
	out.ClientSecret = secret
	if err != nil {
		return out, err
	}
	out.Plan.Steps[0].ID = fmt.Sprint(prov.PK)
	// Recorded before the application, so that a failure there still names the new client ID.
	out.Connection = recordApplied(r.Connection, p.want, prov)
	appID, err := s.applyApplication(ctx, p, prov)
	if err != nil {
		return out, err
	}
	out.Plan.Steps[1].ID = appID
	return out, nil
}

func (s *Service) applyProvider(ctx context.Context, p akPlan) (wif.AuthentikProvider, string, error) {
	switch p.provider.Action {
	case wif.PlanCreate:
		prov, secret, err := s.authentik.CreateProvider(ctx, p.target, p.create)
		if err != nil {
			return prov, "", authentikError("create the provider", err)
		}
		return prov, secret, nil
	case wif.PlanUpdate:
		prov, err := s.authentik.UpdateProvider(ctx, p.target, p.state.Provider.PK, p.change)
		if err != nil {
			return prov, "", authentikError("update the provider", err)
		}
		return prov, "", nil
	}
	return *p.state.Provider, "", nil
}

func (s *Service) applyApplication(ctx context.Context, p akPlan, prov wif.AuthentikProvider) (string, error) {
	switch p.app.Action {
	case wif.PlanCreate:
		app, err := s.authentik.CreateApplication(ctx, p.target, wif.ApplicationSpec{Name: p.want.AppName, Slug: p.want.AppSlug, ProviderPK: prov.PK})
		if err != nil {
			return "", authentikError("create the application", err)
		}
		return app.PK, nil
	case wif.PlanUpdate:
		app, err := s.authentik.BindApplication(ctx, p.target, p.want.AppSlug, prov.PK)
		if err != nil {
			return "", authentikError("bind the provider to the application", err)
		}
		return app.PK, nil
	}
	return p.state.Application.PK, nil
}

// recordApplied is c with what the apply made true on authentik's side.
func recordApplied(c wif.Connection, w wif.WantedProvider, prov wif.AuthentikProvider) wif.Connection {
	oldClientID := c.ClientID
	c.ProviderPK, c.ClientID, c.ProviderName = prov.PK, prov.ClientID, prov.Name
	c.SubjectMode, c.AccessTokenValidity = prov.SubMode, prov.AccessTokenValidity
	if wif.IssuerModeOf(c) != wif.IssuerModePerProvider || c.IssuerURL == "" {
		c.IssuerURL, c.DiscoveryBase = wif.IssuerFor(c.AuthentikURL, w.AppSlug, wif.IssuerModePerProvider)
	}
	if c.Audience == "" || c.Audience == oldClientID {
		c.Audience = prov.ClientID
	}
	if c.SubjectPrefix == "" && prov.SubMode == wif.SubUsername {
		c.SubjectPrefix = wif.ServiceAccountUsername(prov.Name)
	}
	c.Step = max(c.Step, StepProvider)
	return c
}
