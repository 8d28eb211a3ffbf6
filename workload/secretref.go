package workload

import "github.com/wifwiz/wifwiz/wif"

// secretRef is c's reference to its client secret when it is safe to show: env:NAME or
// file:/path. A malformed reference may be the secret itself pasted by mistake, so it is never
// shown: then ref is "" and malformed is true. It is never resolved.
func secretRef(c wif.Connection) (ref string, malformed bool) {
	switch {
	case c.SecretRef == "":
		return "", false
	case looksLikeToken(c.SecretRef) || wif.ValidateProvider(c).Has(wif.FieldSecretRef):
		return "", true
	}
	return c.SecretRef, false
}
