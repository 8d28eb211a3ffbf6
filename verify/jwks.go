package verify

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

const jwksExpected = "at least one asymmetric signing key (RSA or EC)"

const fixSelectSigningKey = "In authentik, edit the provider and select a Signing Key (an RSA or EC certificate, e.g. \"authentik Self-signed Certificate\"), then save."

func (r *run) checkJWKS() Check {
	r.loadRemoteKeys()
	if r.cfg.InlineJWKS != nil {
		return r.checkInlineJWKS()
	}
	return r.checkRemoteJWKS()
}

// loadRemoteKeys reads the fetched JWKS when there is a usable one, whatever the Console uses.
func (r *run) loadRemoteKeys() {
	f := r.obs.JWKS
	if f == nil || f.Err != "" || f.Status != http.StatusOK {
		return
	}
	r.remoteKeys, _ = parseJWKS(f.Body)
}

func (r *run) checkRemoteJWKS() Check {
	if r.disc == nil {
		r.keysWhy = "No JWKS: " + r.discWhy
		return skip(jwksExpected, r.discWhy)
	}
	if r.disc.JWKSURL == "" {
		r.keysWhy = "Discovery has no jwks_uri: see jwks."
		return fail(jwksExpected, "no jwks_uri in discovery", "Discovery names no JWKS.",
			r.byKind("Check that the discovery base points at authentik's provider: authentik always publishes jwks_uri.", "Check that the discovery base points at the issuer, and that the issuer publishes jwks_uri."))
	}
	if !wif.TrustedEndpoint(r.cfg.IssuerURL, r.cfg.DiscoveryBase, r.disc.JWKSURL) {
		r.keysWhy = "The JWKS is on another origin and was not fetched: see jwks."
		return fail(jwksExpected, "not fetched: jwks_uri "+quote(short(r.disc.JWKSURL))+" is on another origin",
			fmt.Sprintf("Discovery names the JWKS %s, which is not on the issuer's origin (%s); wifwiz fetches nothing a discovery document points elsewhere.", short(r.disc.JWKSURL), wif.Origin(r.cfg.IssuerURL)),
			"Find out what answers discovery for this issuer; if the keys really live there, set the Console's JWKS source to inline keys and paste them (and give them to wifwiz).")
	}
	f := r.obs.JWKS
	if f == nil {
		r.keysWhy = "The JWKS was not fetched."
		return skip(jwksExpected, r.keysWhy)
	}
	if f.Err != "" || f.Status != http.StatusOK {
		r.keysWhy = "The JWKS fetch failed: see jwks."
		return fail(jwksExpected, r.fetchOutcome(*f), fmt.Sprintf("The JWKS at %s did not answer 200.", r.disc.JWKSURL),
			r.byKind("Check that the jwks_uri from discovery is reachable; a proxy in front of authentik must pass /application/o/<slug>/jwks/.", "Check that the jwks_uri from discovery is reachable from this machine."))
	}
	if r.remoteKeys == nil {
		r.keysWhy = "The JWKS is unreadable: see jwks."
		return fail(jwksExpected, r.responseOutcome(f.URL, f.Status, f.Body), "The JWKS is not a JSON key set.", "Check that the jwks_uri from discovery points at "+r.byKind("authentik.", "the issuer's keys."))
	}
	return r.keySetVerdict(r.remoteKeys, "The JWKS at "+r.disc.JWKSURL)
}

// keySetVerdict passes a set with a usable key and records it as the set Anthropic uses.
func (r *run) keySetVerdict(s *keySet, source string) Check {
	if s.noKeys {
		r.keysWhy = "The JWKS has no keys: see jwks."
		return fail(jwksExpected, "{} — no \"keys\" member", source+r.byKind(" is {}: authentik publishes that when no Signing Key is selected on the provider, and then signs tokens with HS256.", " has no \"keys\" member."), r.signingKeyFix())
	}
	if len(s.keys) == 0 {
		r.keysWhy = "The JWKS has no usable signing key: see jwks."
		return fail(jwksExpected, s.describe(), source+" has no key Anthropic can verify a signature with.", r.signingKeyFix())
	}
	r.keys = s
	return pass(jwksExpected, s.describe(), source+" has a signing key.")
}

func (r *run) checkInlineJWKS() Check {
	s, err := parseJWKS(r.cfg.InlineJWKS)
	if err != nil {
		r.keysWhy = "The inline JWKS is unreadable: see jwks."
		return fail(jwksExpected, "inline JWKS: "+err.Error(), "The "+r.inlineName()+" is not a JSON key set.",
			"Paste the provider's JWKS (from its jwks_uri) again, as {\"keys\": [...]}, into the Console's JWKS source and into wifwiz.")
	}
	c := r.keySetVerdict(s, "The "+r.inlineName())
	if c.Status != Pass {
		return c
	}
	if stale := r.staleInline(s); len(stale) > 0 {
		return warn(jwksExpected, s.describe(),
			fmt.Sprintf("%s now publishes key(s) %s that the inline JWKS in the Console lacks: %s, or the inline JWKS is outdated.", r.issuerSubject(), strings.Join(stale, ", "), r.byKind("the Signing Key was rotated", "the signing key was rotated")),
			r.pasteJWKSFix())
	}
	c.Message += " The Console uses these inline keys; Anthropic fetches no JWKS."
	return c
}

// staleInline lists the kids the issuer publishes that the inline set lacks.
func (r *run) staleInline(inline *keySet) []string {
	if r.remoteKeys == nil {
		return nil
	}
	var missing []string
	for _, kid := range r.remoteKeys.kids() {
		if !slices.Contains(inline.kids(), kid) {
			missing = append(missing, quote(kid))
		}
	}
	return missing
}

func (r *run) pasteJWKSFix() string {
	from := r.byKind("the provider's jwks_uri", "the issuer's jwks_uri")
	if r.disc != nil && r.disc.JWKSURL != "" {
		from = r.disc.JWKSURL
	}
	return "Copy " + r.byKind("authentik's", "the issuer's") + " current JWKS from " + from + " and paste it into the Console's JWKS source (inline keys); Anthropic caches keys for about a minute."
}
