package wif

import (
	"fmt"
	"slices"
	"time"
)

// WantedProvider is the provider and application federation needs for a connection, by name:
// what `apply` creates, and what the blueprint and Terraform exports describe.
type WantedProvider struct {
	Name                string // the provider's name; the service account is ak-<Name>-client_credentials
	AppName             string
	AppSlug             string
	SubMode             string
	IssuerMode          string
	AccessTokenValidity string // authentik's form, within the Console's maximum identity token lifetime
	SigningKeyName      string // "" when not chosen: the first RSA/EC keypair with a private key
	AuthorizationFlow   string // flow slugs
	InvalidationFlow    string
	Scopes              []string // scope names of the managed scope mappings
}

// WantedProviderFor is what c needs from authentik: a confidential provider named as recorded,
// subject mode subMode (default: the one recorded, else the username, so that sub is readable
// and predictable), per-provider issuer, the recorded validity when it is within the Console's
// maximum identity token lifetime (else that maximum), and an application with c's slug.
func WantedProviderFor(c Connection, subMode, signingKey string) WantedProvider {
	name := c.ProviderName
	if name == "" {
		name = c.AppSlug
	}
	if subMode == "" && SubjectModeProblem(c.SubjectMode) == "" {
		subMode = c.SubjectMode
	}
	if subMode == "" {
		subMode = SubUsername
	}
	return WantedProvider{Name: name, AppName: name, AppSlug: c.AppSlug, SubMode: subMode, IssuerMode: IssuerModePerProvider,
		AccessTokenValidity: WantedValidity(c), SigningKeyName: signingKey, AuthorizationFlow: DefaultAuthorizationFlow,
		InvalidationFlow: DefaultInvalidationFlow, Scopes: WIFScopes}
}

// WantedValidity is the access token validity to set: the recorded one when it is readable and
// within the Console's maximum identity token lifetime, else that maximum; in authentik's form.
func WantedValidity(c Connection) string {
	limit := c.MaxIdentityTokenLifetime
	if limit <= 0 {
		limit = DefaultLifetime
	}
	if d, err := ParseValidity(c.AccessTokenValidity); err == nil && d <= limit {
		return ValidityString(d)
	}
	return ValidityString(limit)
}

// ValidityString writes d the way authentik's validity fields are written (hours=1, minutes=90,
// seconds=45), to the second.
func ValidityString(d time.Duration) string {
	d = d.Truncate(time.Second)
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("hours=%d", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("minutes=%d", d/time.Minute)
	}
	return fmt.Sprintf("seconds=%d", d/time.Second)
}

// SubjectModeProblem says why subject mode mode cannot be used for federation; "" when it can.
func SubjectModeProblem(mode string) string {
	switch {
	case mode == "":
		return ""
	case mode == SubEmail:
		return fmt.Sprintf("subject mode %q gives the generated service account an empty sub, which Anthropic rejects: choose %s", mode, SubUsername)
	}
	if slices.Contains(subjectModes, mode) {
		return ""
	}
	return fmt.Sprintf("subject mode %q is not one of authentik's: %s, %s, %s, %s, %s", mode, SubUsername, SubHashedUserID, SubUserID, SubUserUUID, SubUPN)
}
