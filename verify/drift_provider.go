package verify

import "github.com/wifwiz/wifwiz/wif"

// providerDrift names what changed on the authentik provider between two runs that both read it
// through the admin API (authentik.provider's facts).
func providerDrift(prev, cur Report) []wif.Drift {
	before, after := parseFacts(actualOf(prev, CheckAuthentikProvider)), parseFacts(actualOf(cur, CheckAuthentikProvider))
	if len(before) == 0 || len(after) == 0 {
		return nil
	}
	var out []wif.Drift
	add := func(kind, fact, msg string) {
		if d, ok := valueDrift(kind, before[fact], after[fact], msg); ok {
			out = append(out, d)
		}
	}
	if before[factSigningKeyID] != after[factSigningKeyID] {
		msg := "the provider's Signing Key changed: tokens are signed with another key (its kid changes; an inline JWKS in the Console must be updated)"
		if after[factSigningKeyID] == "" {
			msg = "the provider's Signing Key was removed: tokens are now HS256, keyed with the client secret, which Anthropic cannot verify"
		}
		out = append(out, wif.Drift{Kind: DriftSigningKey, Before: keyFact(before), After: keyFact(after), Message: msg})
	}
	encMsg := "the provider's Encryption Key changed"
	if before[factEncryptionKey] == "none" {
		encMsg = "an Encryption Key was selected on the provider: tokens are now JWEs, which Anthropic cannot read"
	}
	add(DriftEncryptionKey, factEncryptionKey, encMsg)
	add(DriftSubMode, factSubMode, "the provider's Subject mode changed: sub changes, and the rule's subject prefix no longer matches it")
	add(DriftIssuerMode, factIssuerMode, "the provider's Issuer mode changed: iss changes, and the Console's issuer URL no longer matches it")
	add(DriftValidity, factValidity, "the provider's Access token validity changed: compare it with the Console's maximum identity token lifetime")
	appMsg := "the provider is bound to another application: the issuer URL's slug changes"
	if after[factApplication] == "none" {
		appMsg = "the provider is no longer bound to an application: authentik refuses its tokens (invalid_grant) and serves no discovery"
	}
	add(DriftApplication, factApplication, appMsg)
	return out
}

func keyFact(f map[string]string) string {
	if f[factSigningKeyID] == "" {
		return "none"
	}
	return f[factSigningKey] + " (" + f[factSigningKeyID] + ")"
}
