package workload

import (
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Formats of the authentik side as code, for teams that manage authentik with blueprints or
// Terraform.
const (
	FormatAuthentikBlueprint = "authentik-blueprint"
	FormatAuthentikTerraform = "authentik-terraform"
)

// AuthentikFormats are the formats RenderAuthentik accepts.
func AuthentikFormats() []string {
	return []string{FormatAuthentikBlueprint, FormatAuthentikTerraform}
}

// AuthentikFacts are what authentik's admin API told of the instance; zero values are unknown.
type AuthentikFacts struct {
	Version    string // authentik's version: grant_types exists from 2026.5
	SigningKey string // the name of the keypair the provider signs with, or should
	Note       string // why the facts are unknown, when they are
}

// authentikExport is what both authentik exports describe.
type authentikExport struct {
	conn       wif.Connection
	want       wif.WantedProvider
	grantTypes bool   // render grant_types: [client_credentials]
	versionMsg string // a comment on grant_types
	keyMsg     string // a comment on the signing key
}

func newAuthentikExport(c wif.Connection, f AuthentikFacts) (authentikExport, error) {
	if c.AppSlug == "" {
		return authentikExport{}, fmt.Errorf("no application slug is recorded: record it on the Basics step")
	}
	x := authentikExport{conn: c, want: wif.WantedProviderFor(c, "", f.SigningKey)}
	if x.want.SigningKeyName == "" {
		x.want.SigningKeyName = wif.SelfSignedKeypairName
		x.keyMsg = "The signing key is authentik's built-in \"" + wif.SelfSignedKeypairName + "\" (RSA); any RSA or EC keypair with a private key works."
	}
	has, known := wif.AuthentikHasGrantTypes(f.Version)
	x.grantTypes = has
	switch {
	case !known:
		x.versionMsg = "authentik's version is unknown, so grant_types is left out: from authentik 2026.5 on, add grant_types [client_credentials]."
		if f.Note != "" {
			x.versionMsg += " (" + f.Note + ")"
		}
	case has:
		x.versionMsg = "authentik " + f.Version + " has grant types on providers: only client_credentials."
	default:
		x.versionMsg = "authentik " + f.Version + " has no grant types on providers (they arrive in 2026.5)."
	}
	for _, v := range []struct{ what, value, fix string }{
		{"connection name", c.Name, "rename the connection"},
		{"provider name", x.want.Name, "fix the recorded provider name"},
		{"application slug", x.want.AppSlug, "fix the recorded application slug"},
		{"signing key name", x.want.SigningKeyName, "rename the keypair in authentik"},
		{"client ID", c.ClientID, "fix the recorded client ID"},
	} {
		if hasControl(v.value) {
			return authentikExport{}, fmt.Errorf("the %s contains a control or invisible character, which no blueprint or Terraform file can carry safely: %s", v.what, v.fix)
		}
	}
	return x, nil
}

// RenderAuthentik writes the provider and application c needs as authentik code in format.
func RenderAuthentik(c wif.Connection, format string, f AuthentikFacts) (string, error) {
	x, err := newAuthentikExport(c, f)
	if err != nil {
		return "", err
	}
	switch format {
	case FormatAuthentikBlueprint:
		return x.blueprint(), nil
	case FormatAuthentikTerraform:
		return x.terraform(), nil
	}
	return "", fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(AuthentikFormats(), ", "))
}

// intro is the comment both files open with.
func (x authentikExport) intro(what string) []string {
	lines := []string{
		fmt.Sprintf("wifwiz: the authentik side of Anthropic workload identity federation, connection %q, as %s.", x.conn.Name, what),
		fmt.Sprintf("An OAuth2 provider %q (confidential, client credentials only, no redirect URIs, signed, not encrypted, subject mode %s, per-provider issuer) and the application %q it belongs to.",
			x.want.Name, x.want.SubMode, x.want.AppSlug),
		"No secret is in this file: authentik generates the client secret; copy it from the provider's edit form.",
	}
	if x.conn.AuthentikURL != "" {
		lines = append(lines, "Issuer URL: "+wif.IssuerURLFor(x.conn.AuthentikURL, x.want.AppSlug))
	}
	lines = append(lines, x.versionMsg)
	if x.keyMsg != "" {
		lines = append(lines, x.keyMsg)
	}
	return lines
}

// blueprint writes authentik's blueprint YAML: the provider found by its name, the application by
// its slug, flows, keypair and scope mappings found with !Find, the application bound with !KeyOf.
func (x authentikExport) blueprint() string {
	var t text
	t.comment(x.intro("an authentik blueprint (System → Blueprints, or a file under /blueprints)")...)
	w := x.want
	find := func(model, field, value string) string {
		return "!Find [" + model + ", [" + field + ", " + yamlQuote(value) + "]]"
	}
	t.line("version: 1")
	t.line("metadata:")
	t.line("  name: " + yamlQuote("wifwiz "+x.conn.Name))
	t.line("  labels:")
	t.line("    blueprints.goauthentik.io/description: " + yamlQuote("Anthropic workload identity federation for "+x.conn.Name+" (made by wifwiz)"))
	t.line("entries:")
	t.line("  - model: authentik_providers_oauth2.oauth2provider")
	t.line("    id: wifwiz-provider")
	t.line("    identifiers:")
	t.line("      name: " + yamlQuote(w.Name))
	t.line("    attrs:")
	t.line("      client_type: confidential")
	if x.conn.ClientID != "" {
		t.line("      client_id: " + yamlQuote(x.conn.ClientID))
	}
	t.line("      authorization_flow: " + find("authentik_flows.flow", "slug", w.AuthorizationFlow))
	t.line("      invalidation_flow: " + find("authentik_flows.flow", "slug", w.InvalidationFlow))
	t.line("      redirect_uris: []")
	t.line("      signing_key: " + find("authentik_crypto.certificatekeypair", "name", w.SigningKeyName))
	t.line("      encryption_key: null")
	t.line("      sub_mode: " + w.SubMode)
	t.line("      issuer_mode: " + w.IssuerMode)
	t.line("      access_token_validity: " + yamlQuote(w.AccessTokenValidity))
	t.line("      property_mappings:")
	for _, s := range w.Scopes {
		t.line("        - " + find("authentik_providers_oauth2.scopemapping", "managed", wif.ManagedScopeMapping(s)))
	}
	if x.grantTypes {
		t.line("      grant_types: [" + wif.GrantClientCredentials + "]")
	}
	t.line("  - model: authentik_core.application")
	t.line("    identifiers:")
	t.line("      slug: " + yamlQuote(w.AppSlug))
	t.line("    attrs:")
	t.line("      name: " + yamlQuote(w.AppName))
	t.line("      provider: !KeyOf wifwiz-provider")
	return t.String()
}

// terraform writes the goauthentik provider's resources, with data sources for the flows, the
// keypair and the scope mappings.
func (x authentikExport) terraform() string {
	var t text
	t.comment(x.intro("Terraform for the goauthentik/authentik provider")...)
	w := x.want
	t.line("terraform {")
	t.line("  required_providers {")
	t.line("    authentik = {")
	t.line(`      source = "goauthentik/authentik"`)
	t.line("    }")
	t.line("  }")
	t.line("}")
	clientID := hclQuote(x.conn.ClientID)
	if x.conn.ClientID == "" {
		clientID = "var.client_id"
		t.line("")
		t.line(`variable "client_id" {`)
		t.line("  type        = string")
		t.line(`  description = "The provider's Client ID: the token's aud, and so the Console rule's audience."`)
		t.line("}")
	}
	block := func(kind, typ, name string, attrs ...[2]string) {
		t.line("")
		t.line(fmt.Sprintf("%s %q %q {", kind, typ, name))
		width := 0
		for _, a := range attrs {
			width = max(width, len(a[0]))
		}
		for _, a := range attrs {
			t.line(fmt.Sprintf("  %-*s = %s", width, a[0], a[1]))
		}
		t.line("}")
	}
	block("data", "authentik_flow", "authorization", [2]string{"slug", hclQuote(w.AuthorizationFlow)})
	block("data", "authentik_flow", "invalidation", [2]string{"slug", hclQuote(w.InvalidationFlow)})
	block("data", "authentik_certificate_key_pair", "signing", [2]string{"name", hclQuote(w.SigningKeyName)})
	managed := make([]string, len(w.Scopes))
	for i, s := range w.Scopes {
		managed[i] = hclQuote(wif.ManagedScopeMapping(s))
	}
	block("data", "authentik_property_mapping_provider_scope", "scopes", [2]string{"managed_list", "[" + strings.Join(managed, ", ") + "]"})
	attrs := [][2]string{
		{"name", hclQuote(w.Name)},
		{"client_id", clientID},
		{"client_type", hclQuote("confidential")},
		{"authorization_flow", "data.authentik_flow.authorization.id"},
		{"invalidation_flow", "data.authentik_flow.invalidation.id"},
		{"allowed_redirect_uris", "[]"},
		{"signing_key", "data.authentik_certificate_key_pair.signing.id"},
		{"sub_mode", hclQuote(w.SubMode)},
		{"issuer_mode", hclQuote(w.IssuerMode)},
		{"access_token_validity", hclQuote(w.AccessTokenValidity)},
		{"property_mappings", "data.authentik_property_mapping_provider_scope.scopes.ids"},
	}
	if x.grantTypes {
		attrs = append(attrs, [2]string{"grant_types", "[" + hclQuote(wif.GrantClientCredentials) + "]"})
	}
	block("resource", "authentik_provider_oauth2", "wifwiz", attrs...)
	block("resource", "authentik_application", "wifwiz",
		[2]string{"name", hclQuote(w.AppName)}, [2]string{"slug", hclQuote(w.AppSlug)},
		[2]string{"protocol_provider", "authentik_provider_oauth2.wifwiz.id"})
	return t.String()
}

// hclQuote writes s as an HCL string: JSON-like escapes, and ${ and %{ doubled so that nothing
// is interpolated.
func hclQuote(s string) string {
	q := strings.ReplaceAll(backslashQuote(s, `\u%04x`), "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}
