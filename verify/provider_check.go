package verify

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// checkAuthentikProvider judges the provider read through authentik's admin API: the same
// checklist the wizard's provider step shows, one verdict for the whole.
func (r *run) checkAuthentikProvider() Check {
	want := r.providerExpectations()
	expected := providerExpected(want)
	read := r.obs.Provider
	switch {
	case read == nil && !r.authentik():
		return skip("the issuer's client settings, read through its admin API", "This issuer has no provider wifwiz can read through an admin API: nothing to judge here.")
	case read == nil:
		return skip(expected, "No authentik API token was given, so the provider was not read through authentik's admin API: give --authentik-token-file (or WIFWIZ_AUTHENTIK_TOKEN), or record where the token lives (--authentik-token-ref with --save, or on the wizard's provider step).")
	case read.Provider == nil:
		return fail(expected, "", "authentik's admin API: "+read.Err,
			"Use an authentik API token (Directory → Tokens and App passwords, intent API) of a user allowed to view OAuth2 providers, and check the Client ID on the provider's page.")
	}
	p := *read.Provider
	actual := providerFacts(p)
	var failed, advised, fixes []string
	for _, it := range ProviderChecklist(p, want) {
		switch {
		case it.OK:
		case it.Advice:
			advised = append(advised, it.Label)
			fixes = append(fixes, it.Fix)
		default:
			failed = append(failed, it.Label)
			fixes = append(fixes, it.Fix)
		}
	}
	where := fmt.Sprintf("Provider %q (read through authentik's admin API", p.Name)
	if read.Version != "" {
		where += ", authentik " + read.Version
	}
	where += ")"
	switch {
	case len(failed) > 0:
		return fail(expected, actual, fmt.Sprintf("%s: %d setting(s) to change: %s.", where, len(failed), strings.Join(failed, "; ")), strings.Join(fixes, " "))
	case len(advised) > 0:
		return warn(expected, actual, fmt.Sprintf("%s works for federation; advised: %s.", where, strings.Join(advised, "; ")), strings.Join(fixes, " "))
	}
	return pass(expected, actual, where+" has every setting federation needs.")
}

func (r *run) providerExpectations() wif.ProviderExpectations {
	c := r.cfg
	return wif.ProviderExpectations{AuthentikURL: c.AuthentikURL, AppSlug: c.AppSlug, IssuerURL: c.IssuerURL,
		SubjectPrefix: c.SubjectPrefix, SubjectMode: c.SubjectMode, IssuerMode: c.IssuerMode,
		MaxIdentityTokenLifetime: c.MaxIdentityTokenLifetime}
}

func providerExpected(w wif.ProviderExpectations) string {
	parts := []string{"a signing key (RSA or EC)", "no encryption key"}
	if w.AppSlug != "" {
		parts = append(parts, "bound to application "+w.AppSlug)
	} else {
		parts = append(parts, "bound to an application")
	}
	if w.SubjectMode != "" {
		parts = append(parts, "subject mode "+w.SubjectMode)
	}
	if w.IssuerMode != "" {
		parts = append(parts, "issuer mode "+w.IssuerMode)
	}
	if w.MaxIdentityTokenLifetime > 0 {
		parts = append(parts, fmt.Sprintf("access token validity ≤ %d s", int64(w.MaxIdentityTokenLifetime/time.Second)))
	}
	return strings.Join(append(parts, "client_credentials among the grant types (authentik 2026.5 and later)"), ", ")
}

// Facts of a provider, as the check's Actual records them: name="value" pairs joined by "; ".
// Drift compares them between runs, so the names are stable.
const (
	factSigningKey     = "signing_key"
	factSigningKeyID   = "signing_key_id"
	factSigningKeyType = "signing_key_type"
	factEncryptionKey  = "encryption_key"
	factSubMode        = "sub_mode"
	factIssuerMode     = "issuer_mode"
	factValidity       = "access_token_validity"
	factApplication    = "application"
	factGrantTypes     = "grant_types"
	factClientID       = "client_id"
)

func providerFacts(p wif.AuthentikProvider) string {
	facts := [][2]string{
		{factClientID, p.ClientID},
		{factSigningKey, keyName(p.SigningKey)},
		{factSigningKeyID, p.SigningKey.PK},
		{factSigningKeyType, p.SigningKey.KeyType},
		{factEncryptionKey, keyName(p.EncryptionKey)},
		{factSubMode, p.SubMode},
		{factIssuerMode, p.IssuerMode},
		{factValidity, p.AccessTokenValidity},
		{factApplication, orNone(p.ApplicationSlug)},
	}
	if p.GrantTypes != nil {
		facts = append(facts, [2]string{factGrantTypes, strings.Join(p.GrantTypes, ",")})
	}
	parts := make([]string, 0, len(facts))
	for _, f := range facts {
		parts = append(parts, f[0]+"="+strconv.Quote(f[1]))
	}
	return strings.Join(parts, "; ")
}

func keyName(k wif.AuthentikKeyRef) string {
	switch {
	case !k.Selected():
		return "none"
	case k.Name != "":
		return k.Name
	}
	return k.PK
}

// parseFacts reads what providerFacts wrote; nil when s is not such a list.
func parseFacts(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		name, rest, ok := strings.Cut(s, "=")
		if !ok {
			return nil
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil
		}
		v, _ := strconv.Unquote(q)
		out[name] = v
		s = strings.TrimPrefix(rest[len(q):], "; ")
	}
	return out
}
