package verify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// ProviderChecklist judges a provider read through authentik's admin API against what Workload
// Identity Federation needs and what the connection records. The authentik.provider check and the
// wizard's provider step both use it. Each failing item's fix names the setting as authentik's
// provider form labels it and the value to choose.
func ProviderChecklist(p wif.AuthentikProvider, want wif.ProviderExpectations) []wif.ChecklistItem {
	items := []wif.ChecklistItem{
		clientTypeItem(p),
		redirectURIsItem(p),
		signingKeyItem(p),
		encryptionKeyItem(p),
		validityItem(p, want),
		subModeItem(p, want),
		issuerModeItem(p, want),
		applicationItem(p, want),
	}
	if p.GrantTypes != nil {
		items = append(items, grantTypesItem(p))
	}
	items = append(items, includeClaimsItem(p))
	for i := range items {
		if items[i].OK {
			items[i].Fix, items[i].Advice = "", false
		}
	}
	return items
}

func clientTypeItem(p wif.AuthentikProvider) wif.ChecklistItem {
	return wif.ChecklistItem{
		ID: "client_type", Label: "Client type is Confidential",
		OK: p.ClientType == "confidential", Actual: p.ClientType,
		Fix: "Edit the provider and set Client type to Confidential: the client-credentials grant authenticates with the client secret.",
	}
}

func redirectURIsItem(p wif.AuthentikProvider) wif.ChecklistItem {
	return wif.ChecklistItem{
		ID: "redirect_uris", Label: "No redirect URIs", Advice: true,
		OK: len(p.RedirectURIs) == 0, Actual: orNone(strings.Join(p.RedirectURIs, ", ")),
		Fix: "Edit the provider → Redirect URIs/Origins: remove every entry. A workload uses only the client-credentials grant, and a redirect URI opens the provider to browser sign-in flows.",
	}
}

const signingKeyFix = "Edit the provider → Advanced protocol settings → Signing Key: select a certificate with an RSA or EC private key (e.g. \"" + wif.SelfSignedKeypairName + "\")."

func signingKeyItem(p wif.AuthentikProvider) wif.ChecklistItem {
	item := wif.ChecklistItem{ID: "signing_key", Label: "A signing key (RSA or EC) is selected", Actual: keyShown(p.SigningKey)}
	k := p.SigningKey
	ok, known := k.CanSignJWTs()
	switch {
	case !k.Selected():
		item.Actual = "none: tokens are HS256, keyed with the client secret, and the JWKS is empty"
		item.Fix = signingKeyFix + " Anthropic cannot verify HS256 tokens."
	case !known:
		item.OK = true // this authentik does not say the key's type; the token's alg tells (header.alg)
		item.Actual += " (its key type could not be read; header.alg shows what it signs with)"
	case !ok && !k.HasPrivateKey:
		item.Fix = signingKeyFix + " The selected keypair has no private key, so authentik cannot sign with it."
	case !ok:
		item.Fix = signingKeyFix + fmt.Sprintf(" authentik does not sign JWTs with a %s key.", k.KeyType)
	default:
		item.OK = true
	}
	return item
}

func keyShown(k wif.AuthentikKeyRef) string { return orNone(k.Label()) }

func encryptionKeyItem(p wif.AuthentikProvider) wif.ChecklistItem {
	actual := "none"
	if p.EncryptionKey.Selected() {
		actual = keyShown(p.EncryptionKey) + ": tokens are JWEs"
	}
	return wif.ChecklistItem{
		ID: "encryption_key", Label: "No encryption key",
		OK: !p.EncryptionKey.Selected(), Actual: actual,
		Fix: "Edit the provider → Advanced protocol settings → Encryption Key: clear it (no key). Anthropic cannot read encrypted tokens.",
	}
}

func validityItem(p wif.AuthentikProvider, want wif.ProviderExpectations) wif.ChecklistItem {
	item := wif.ChecklistItem{ID: "access_token_validity", Label: "Access token validity within the Console's maximum identity token lifetime"}
	d, err := wif.ParseValidity(p.AccessTokenValidity)
	if err != nil {
		item.Actual = fmt.Sprintf("%q: %v", p.AccessTokenValidity, err)
		item.Fix = "Edit the provider → Advanced protocol settings → Access token validity: write it in authentik's form, e.g. hours=1."
		return item
	}
	limit, source := want.MaxIdentityTokenLifetime, "the Console's maximum identity token lifetime"
	if limit <= 0 || limit > wif.MaxMaxIdentityTokenLifetime {
		limit, source = wif.MaxMaxIdentityTokenLifetime, "the largest maximum the Console allows"
	}
	item.Actual = fmt.Sprintf("%s (%d s)", p.AccessTokenValidity, int64(d/time.Second))
	item.OK = d <= limit
	item.Fix = fmt.Sprintf("Edit the provider → Advanced protocol settings → Access token validity: set at most %s (%d s, %s), or raise the Console's maximum identity token lifetime to %d s or more.",
		wif.ValidityString(limit), int64(limit/time.Second), source, int64(d/time.Second))
	return item
}

func grantTypesItem(p wif.AuthentikProvider) wif.ChecklistItem {
	return wif.ChecklistItem{
		ID: "grant_types", Label: "Client credentials among the grant types",
		OK: slices.Contains(p.GrantTypes, wif.GrantClientCredentials), Actual: orNone(strings.Join(p.GrantTypes, ", ")),
		Fix: "Edit the provider → Grant types: select Client credentials (only it, as authentik's guide for Anthropic says); without it authentik refuses the workload's token request.",
	}
}

func includeClaimsItem(p wif.AuthentikProvider) wif.ChecklistItem {
	actual := "on: the id_token also carries name, preferred_username and groups"
	if !p.IncludeClaimsInIDToken {
		actual = "off: the id_token carries only sub, aud, iss and the times — enough for a subject and audience rule, not for matching other claims"
	}
	// Either setting works for a subject + audience rule, so this item informs rather than flags.
	return wif.ChecklistItem{ID: "include_claims", Label: "Include claims in id_token", OK: true, Actual: actual}
}
