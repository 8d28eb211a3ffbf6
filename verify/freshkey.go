package verify

import (
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// freshKeyWindow is wifwiz's margin around Anthropic's JWKS cache of "about a minute": a key
// first seen less than this ago may still be unknown to Anthropic.
const freshKeyWindow = 2 * wif.JWKSCacheTime

// freshKey says whether the token's key appeared in the fetched JWKS only recently, by the
// history the caller gave (Observation.KidFirstSeen). A kid the history lacks was first seen
// now. With inline keys Anthropic fetches nothing, so no key is fresh to it.
func (r *run) freshKey(kid string) (time.Duration, bool) {
	if r.obs.KidFirstSeen == nil || r.cfg.InlineJWKS != nil {
		return 0, false
	}
	seen, ok := r.obs.KidFirstSeen[kid]
	if !ok || seen.After(r.now) {
		seen = r.now
	}
	age := r.now.Sub(seen)
	return age, age < freshKeyWindow
}

func (r *run) freshKeyWarn(exp, kid string, age time.Duration) Check {
	actual := fmt.Sprintf("%q, first seen in the JWKS %d s ago", short(kid), int64(age/time.Second))
	msg := fmt.Sprintf("The key is in the JWKS, but it appeared there only %d s ago. Anthropic caches an issuer's JWKS for about a minute and refuses tokens signed with a key it has not fetched yet.", int64(age/time.Second))
	fix := r.byKind("Wait a minute before exchanging tokens signed with the new key: authentik publishes a newly selected Signing Key and signs with it at the same moment, so expect refusals for about a minute after switching it.",
		"Wait a minute before exchanging tokens signed with the new key, and configure the issuer to publish new keys in its JWKS well before signing with them.")
	return warn(exp, actual, msg, fix)
}
