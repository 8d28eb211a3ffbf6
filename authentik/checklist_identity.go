package authentik

import (
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/rule"
	"github.com/wifwiz/wifwiz/wif"
)

func subModeItem(p Provider, want Expectations) ChecklistItem {
	item := ChecklistItem{
		ID: "sub_mode", Label: "Subject mode gives the sub the rule expects",
		Actual: wif.SubjectModeLabel(p.SubMode) + ": sub is " + subShape(p),
		OK:     true,
	}
	username := p.ServiceAccount()
	switch {
	case p.SubMode == wif.SubEmail:
		item.OK = false
		item.Fix = fmt.Sprintf("Choose \"%s\" (sub = %s) or keep the hashed user ID and copy sub from the sample token: Anthropic rejects an empty sub.",
			wif.SubjectModeLabel(wif.SubUsername), username)
	case want.SubjectPrefix == "":
	case p.SubMode == wif.SubUsername && !rule.SubjectMatches(want.SubjectPrefix, username):
		item.OK = false
		item.Fix = fmt.Sprintf("Set the rule's subject prefix to %s exactly.", username)
	case p.SubMode != wif.SubUsername && wif.LooksServiceAccountUsername(want.SubjectPrefix):
		item.OK = false
		item.Fix = fmt.Sprintf("The rule expects a username, but sub is %s. Either set the subject mode to \"%s\", or set the rule's subject prefix to the sub of the sample token.",
			subShape(p), wif.SubjectModeLabel(wif.SubUsername))
	}
	return item
}

// subShape says what sub looks like for the generated service account (authentik.md).
func subShape(p Provider) string {
	switch p.SubMode {
	case wif.SubHashedUserID:
		return "a 64-character hex hash of the service account's ID (see the sample token)"
	case wif.SubUserID:
		return "the service account's numeric ID"
	case wif.SubUserUUID:
		return "the service account's UUID"
	case wif.SubUsername:
		return p.ServiceAccount()
	case wif.SubEmail:
		return "empty: the generated service account has no email"
	case wif.SubUPN:
		return "the hashed user ID (the generated service account has no UPN)"
	}
	return "unknown for subject mode " + p.SubMode
}

func issuerModeItem(p Provider, want Expectations) ChecklistItem {
	item := ChecklistItem{ID: "issuer_mode", Label: "Issuer mode matches the Console's issuer URL", OK: true}
	slug := want.AppSlug
	if slug == "" {
		slug = p.AssignedApplicationSlug
	}
	expected := ""
	switch p.IssuerMode {
	case "global":
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
	if expected != "" && want.IssuerURL != "" && want.IssuerURL != expected {
		item.OK = false
		item.Fix = fmt.Sprintf("Set the Console's issuer URL to %s exactly (it is %s), or change the provider's issuer mode.", expected, want.IssuerURL)
	}
	return item
}

func applicationItem(p Provider, want Expectations) ChecklistItem {
	item := ChecklistItem{ID: "application", Label: "Attached to an application", OK: true}
	switch {
	case p.AssignedApplicationSlug == "":
		item.OK = false
		item.Actual = "no application uses this provider"
		item.Fix = "Open Applications → your application → Edit and select this provider as its Provider: authentik refuses tokens (invalid_grant) and serves no discovery for an unattached provider."
	case want.AppSlug != "" && want.AppSlug != p.AssignedApplicationSlug:
		item.OK = false
		item.Actual = "attached to application " + p.AssignedApplicationSlug
		item.Fix = fmt.Sprintf("The provider belongs to application %q, not %q: use slug %s in the issuer URL, or attach the provider to %s.",
			p.AssignedApplicationSlug, want.AppSlug, p.AssignedApplicationSlug, want.AppSlug)
	default:
		item.Actual = "application " + p.AssignedApplicationSlug
	}
	return item
}
