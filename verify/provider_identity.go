package verify

import (
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/rule"
	"github.com/wifwiz/wifwiz/wif"
)

func subModeItem(p wif.AuthentikProvider, want wif.ProviderExpectations) wif.ChecklistItem {
	item := wif.ChecklistItem{
		ID: "sub_mode", Label: "Subject mode gives the sub the rule expects",
		Actual: p.SubMode + " (" + wif.SubjectModeLabel(p.SubMode) + "): sub is " + subShape(p),
		OK:     true,
	}
	username := wif.ServiceAccountUsername(p.Name)
	usernameLabel := wif.SubjectModeLabel(wif.SubUsername)
	switch {
	case p.SubMode == wif.SubEmail:
		item.OK = false
		item.Fix = fmt.Sprintf("Edit the provider → Advanced protocol settings → Subject mode: choose \"%s\" (sub = %s): Anthropic rejects the empty sub this mode gives the service account.",
			usernameLabel, username)
	case want.SubjectMode != "" && want.SubjectMode != p.SubMode:
		item.OK = false
		item.Fix = fmt.Sprintf("wifwiz records subject mode \"%s\", but the provider has \"%s\". Either record \"%s\" in wifwiz (Use these values), or edit the provider → Advanced protocol settings → Subject mode: choose \"%s\".",
			wif.SubjectModeLabel(want.SubjectMode), wif.SubjectModeLabel(p.SubMode), wif.SubjectModeLabel(p.SubMode), wif.SubjectModeLabel(want.SubjectMode))
	case want.SubjectPrefix == "":
	case p.SubMode == wif.SubUsername && !rule.SubjectMatches(want.SubjectPrefix, username):
		item.OK = false
		item.Fix = fmt.Sprintf("Set the rule's subject prefix to %s exactly.", username)
	case p.SubMode != wif.SubUsername && wif.LooksServiceAccountUsername(want.SubjectPrefix):
		item.OK = false
		item.Fix = fmt.Sprintf("The rule expects a username, but sub is %s. Either edit the provider → Advanced protocol settings → Subject mode: choose \"%s\", or set the rule's subject prefix to the sub of the sample token.",
			subShape(p), usernameLabel)
	}
	return item
}

// subShape says what sub looks like for the generated service account.
func subShape(p wif.AuthentikProvider) string {
	switch p.SubMode {
	case wif.SubHashedUserID:
		return "a 64-character hex hash of the service account's ID (see the sample token)"
	case wif.SubUserID:
		return "the service account's numeric ID"
	case wif.SubUserUUID:
		return "the service account's UUID"
	case wif.SubUsername:
		return wif.ServiceAccountUsername(p.Name)
	case wif.SubEmail:
		return "empty: the generated service account has no email"
	case wif.SubUPN:
		return "the hashed user ID (the generated service account has no UPN)"
	}
	return "unknown for subject mode " + p.SubMode
}

func issuerModeItem(p wif.AuthentikProvider, want wif.ProviderExpectations) wif.ChecklistItem {
	item := wif.ChecklistItem{ID: "issuer_mode", Label: "Issuer mode matches the recorded issuer URL", OK: true}
	slug := want.AppSlug
	if slug == "" {
		slug = p.ApplicationSlug
	}
	expected := ""
	switch p.IssuerMode {
	case wif.IssuerModeGlobal:
		item.Actual = "global: iss is <authentik URL>/"
		if want.AuthentikURL != "" {
			expected = strings.TrimRight(want.AuthentikURL, "/") + "/"
		}
	default:
		item.Actual = "per_provider: iss is <authentik URL>/application/o/<slug>/, trailing slash included"
		if want.AuthentikURL != "" && slug != "" {
			expected = wif.IssuerURLFor(want.AuthentikURL, slug)
		}
	}
	if expected != "" {
		item.Actual = p.IssuerMode + ": iss is " + expected
	}
	switch {
	case want.IssuerMode != "" && p.IssuerMode != "" && want.IssuerMode != p.IssuerMode:
		item.OK = false
		item.Fix = fmt.Sprintf("The recorded issuer URL %s is authentik's %s form, but the provider's Issuer mode is %s. Either edit the provider → Advanced protocol settings → Issuer mode: choose %s, or record the issuer URL %s (Use these values).",
			want.IssuerURL, issuerModeLabel(want.IssuerMode), issuerModeLabel(p.IssuerMode), issuerModeLabel(want.IssuerMode), orUnknown(expected))
	case expected != "" && want.IssuerURL != "" && want.IssuerURL != expected:
		item.OK = false
		item.Fix = fmt.Sprintf("Set the Console's issuer URL to %s exactly (it is %s), or change the provider's Issuer mode.", expected, want.IssuerURL)
	}
	return item
}

func issuerModeLabel(mode string) string {
	if mode == wif.IssuerModeGlobal {
		return "\"Same identifier is used for all providers\" (global)"
	}
	return "\"Each provider has a different issuer, based on the application slug\" (per_provider)"
}

func orUnknown(s string) string {
	if s == "" {
		return "authentik shows on the provider's page"
	}
	return s
}

func applicationItem(p wif.AuthentikProvider, want wif.ProviderExpectations) wif.ChecklistItem {
	item := wif.ChecklistItem{ID: "application", Label: "Bound to the application in the issuer URL", OK: true}
	inIssuer := want.IssuerURL == "" || p.IssuerMode == wif.IssuerModeGlobal ||
		strings.Contains(strings.TrimSuffix(want.IssuerURL, "/")+"/", wif.AuthentikIssuerPath+p.ApplicationSlug+"/")
	switch {
	case p.ApplicationSlug == "":
		item.OK = false
		item.Actual = "no application uses this provider"
		item.Fix = "Open Applications → your application → Edit and select this provider as its Provider: authentik refuses tokens (invalid_grant) and serves no discovery for an unattached provider."
	case want.AppSlug != "" && want.AppSlug != p.ApplicationSlug:
		item.OK = false
		item.Actual = "bound to application " + p.ApplicationSlug
		item.Fix = fmt.Sprintf("The provider belongs to application %q, not %q: use slug %s in the issuer URL, or attach the provider to %s.",
			p.ApplicationSlug, want.AppSlug, p.ApplicationSlug, want.AppSlug)
	case !inIssuer:
		item.OK = false
		item.Actual = "bound to application " + p.ApplicationSlug
		item.Fix = fmt.Sprintf("The issuer URL %s does not name the slug %s: record the issuer URL of application %s.", want.IssuerURL, p.ApplicationSlug, p.ApplicationSlug)
	default:
		item.Actual = "application " + p.ApplicationSlug
	}
	return item
}
