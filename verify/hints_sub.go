package verify

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Shapes of sub that name authentik's Subject mode; subHint and ModeContradictions read them.
var (
	numericSub = regexp.MustCompile(`^[0-9]+$`)
	uuidSub    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// subHint explains a sub the Console's Subject prefix does not match, naming authentik's
// Subject mode where the shapes tell it (docs/facts.md, authentik: "id_token claims") and the issuer is
// authentik.
func subHint(sub, prefix string, authentik bool) (msg, fix string) {
	bare := strings.TrimSuffix(prefix, "*")
	setPrefix := fmt.Sprintf("Set the Console's Subject prefix to %q", sub)
	caseOnly := strings.EqualFold(sub, prefix) || strings.HasPrefix(strings.ToLower(sub), strings.ToLower(bare)) && bare != prefix
	switch {
	case !authentik && caseOnly:
		return "The token's sub differs from the Console's Subject prefix only in letter case, and the match is case-sensitive.", setPrefix + "."
	case !authentik:
		return "The token's sub does not match the Console's Subject prefix.", setPrefix + " (or a prefix of it ending with '*')."
	case wif.LooksHashed(sub) && wif.LooksServiceAccountUsername(prefix):
		return "The token's sub is a hash, but the Console's Subject prefix is a username: authentik's Subject mode is \"Based on the Hashed User ID\" (the default).",
			fmt.Sprintf("In authentik, set the provider's Subject mode to \"Based on the User's username\", or put the hash in the Console's Subject prefix: %q.", sub)
	case wif.LooksServiceAccountUsername(sub) && wif.LooksHashed(bare):
		return "The token's sub is a username, but the Console's Subject prefix is a hash: authentik's Subject mode is \"Based on the User's username\".",
			setPrefix + ", or set the provider's Subject mode back to \"Based on the Hashed User ID\"."
	case caseOnly:
		return "The token's sub differs from the Console's Subject prefix only in letter case, and the match is case-sensitive.", setPrefix + "."
	case wif.LooksServiceAccountUsername(sub) && wif.LooksServiceAccountUsername(prefix):
		return "The token comes from another provider's service account than the Console's Subject prefix names: the username carries the provider's name exactly as typed in authentik (not the slug).",
			setPrefix + "."
	case numericSub.MatchString(sub):
		return "The token's sub is a numeric user ID: authentik's Subject mode is \"Based on the User's ID\".", setPrefix + ", or change the provider's Subject mode in authentik and request a new token."
	case uuidSub.MatchString(sub):
		return "The token's sub is a UUID: authentik's Subject mode is \"Based on the User's UUID\".", setPrefix + ", or change the provider's Subject mode in authentik and request a new token."
	}
	return "The token's sub does not match the Console's Subject prefix.", setPrefix + " (or a prefix of it ending with '*')."
}
