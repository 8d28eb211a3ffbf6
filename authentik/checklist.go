package authentik

import (
	"fmt"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// Expectations are what the connection needs from the provider.
type Expectations = wif.ProviderExpectations

// ChecklistItem is one setting of the provider, judged.
type ChecklistItem = wif.ChecklistItem

// ProviderChecklist judges the provider's settings against what Workload Identity
// Federation needs (product.md, wizard step 2; authentik.md). It does no I/O.
func ProviderChecklist(p Provider, want Expectations) []ChecklistItem {
	items := []ChecklistItem{
		clientTypeItem(p),
		redirectURIsItem(p),
		signingKeyItem(p),
		encryptionKeyItem(p),
		validityItem(p, want),
		subModeItem(p, want),
		issuerModeItem(p, want),
		applicationItem(p, want),
		includeClaimsItem(p),
	}
	for i := range items {
		if items[i].OK {
			items[i].Fix = ""
		}
	}
	return items
}

func clientTypeItem(p Provider) ChecklistItem {
	return ChecklistItem{
		ID: "client_type", Label: "Client type is Confidential",
		OK: p.ClientType == "confidential", Actual: p.ClientType,
		Fix: "Edit the provider and set Client type to Confidential: the client-credentials grant authenticates with the client secret.",
	}
}

func redirectURIsItem(p Provider) ChecklistItem {
	urls := make([]string, 0, len(p.RedirectURIs))
	for _, r := range p.RedirectURIs {
		urls = append(urls, r.URL)
	}
	return ChecklistItem{
		ID: "redirect_uris", Label: "No redirect URIs",
		OK: len(urls) == 0, Actual: orNone(strings.Join(urls, ", ")),
		Fix: "Remove the redirect URIs: a workload uses only the client-credentials grant, and a redirect URI opens the provider to browser sign-in flows.",
	}
}

func signingKeyItem(p Provider) ChecklistItem {
	actual := "keypair " + p.SigningKey
	if p.SigningKey == "" {
		actual = "none: tokens are HS256, keyed with the client secret, and the JWKS is empty"
	}
	return ChecklistItem{
		ID: "signing_key", Label: "A signing key is selected",
		OK: p.SigningKey != "", Actual: actual,
		Fix: "Edit the provider → Advanced protocol settings → Signing Key: select a certificate with an RSA or EC key (e.g. \"authentik Self-signed Certificate\"). Anthropic cannot verify HS256 tokens.",
	}
}

func encryptionKeyItem(p Provider) ChecklistItem {
	actual := "none"
	if p.EncryptionKey != "" {
		actual = "keypair " + p.EncryptionKey + ": tokens are JWEs"
	}
	return ChecklistItem{
		ID: "encryption_key", Label: "No encryption key",
		OK: p.EncryptionKey == "", Actual: actual,
		Fix: "Edit the provider → Advanced protocol settings → clear Encryption Key: Anthropic cannot read encrypted tokens.",
	}
}

func validityItem(p Provider, want Expectations) ChecklistItem {
	item := ChecklistItem{ID: "access_token_validity", Label: "Access token validity within the Console's maximum identity token lifetime"}
	d, err := wif.ParseValidity(p.AccessTokenValidity)
	if err != nil {
		item.Actual = fmt.Sprintf("%q: %v", p.AccessTokenValidity, err)
		item.Fix = "Set Access token validity in authentik's form, e.g. hours=1."
		return item
	}
	limit, source := want.MaxIdentityTokenLifetime, "the Console's maximum identity token lifetime"
	if limit <= 0 || limit > wif.MaxMaxIdentityTokenLifetime {
		limit, source = wif.MaxMaxIdentityTokenLifetime, "the largest maximum the Console allows"
	}
	item.Actual = fmt.Sprintf("%s (%d s)", p.AccessTokenValidity, int64(d/time.Second))
	item.OK = d <= limit
	item.Fix = fmt.Sprintf("Lower Access token validity to at most %s (%d s, %s), or raise the Console's maximum identity token lifetime to %d s or more.",
		validityString(limit), int64(limit/time.Second), source, int64(d/time.Second))
	return item
}

// validityString writes d the way authentik's validity fields are written.
func validityString(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("hours=%d", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("minutes=%d", d/time.Minute)
	}
	return fmt.Sprintf("seconds=%d", d/time.Second)
}

func includeClaimsItem(p Provider) ChecklistItem {
	actual := "on: the id_token also carries name, preferred_username and groups"
	if !p.IncludeClaimsInIDToken {
		actual = "off: the id_token carries only sub, aud, iss and the times — enough for a subject and audience rule, not for matching other claims"
	}
	// Either setting works for a subject + audience rule, so this item informs rather than flags.
	return ChecklistItem{ID: "include_claims", Label: "Include claims in id_token", OK: true, Actual: actual}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
