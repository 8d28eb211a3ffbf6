package verify

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/wifwiz/wifwiz/wif"
)

var algExpected = "one of " + strings.Join(wif.AllowedAlgorithms, ", ")

func (r *run) checkHeaderAlg() Check {
	if r.jwt == nil {
		return skip(algExpected, r.jwtWhy)
	}
	alg := r.jwt.headerString("alg")
	actual := quote(short(alg))
	switch {
	case wif.AlgorithmAllowed(alg):
		return pass(algExpected, actual, "Anthropic accepts this algorithm.")
	case alg == "":
		return fail(algExpected, "(none)", "The token header has no alg.", r.fromIssuerFix("alg"))
	case strings.HasPrefix(alg, "HS"):
		return fail(algExpected, actual, alg+r.byKind(": authentik signed the token with the client secret because no Signing Key is selected on the provider; Anthropic cannot verify it.",
			": the token is signed with a shared secret; Anthropic cannot verify it."), r.signingKeyFix())
	case strings.EqualFold(alg, "none"):
		return fail(algExpected, actual, "The token is not signed.", r.signingKeyFix())
	}
	return fail(algExpected, actual, "Anthropic does not accept "+actual+".",
		r.byKind("In authentik, select an RSA or EC (P-256, P-384 or P-521) certificate as the provider's Signing Key.", r.signingKeyFix()))
}

func (r *run) kidExpected() string {
	if r.cfg.InlineJWKS != nil {
		return "kid present and in the " + r.keysName() + r.issuerNote()
	}
	return "kid present and in the JWKS"
}

func (r *run) checkHeaderKid() Check {
	exp := r.kidExpected()
	if r.jwt == nil {
		r.keyWhy = r.jwtWhy
		return skip(exp, r.jwtWhy)
	}
	r.keyWhy = "No key for this token: see header.kid."
	kid := r.jwt.headerString("kid")
	if strings.HasPrefix(r.jwt.headerString("alg"), "HS") {
		r.keyWhy = "An HS token is keyed with the client secret; there is no public key: see header.alg."
		return skip(exp, r.keyWhy)
	}
	if kid == "" {
		return fail(exp, "(none)", "The token header has no kid; Anthropic requires one.",
			r.byKind(fixSelectSigningKey, "Configure the issuer to put the signing key's kid in the token header; Anthropic requires one."))
	}
	if r.keys == nil {
		r.keyWhy = r.keysWhy
		return skip(exp, r.keysWhy)
	}
	if k := r.keys.find(kid); k != nil {
		r.key, r.keyWhy = k, ""
		if age, fresh := r.freshKey(kid); fresh {
			return r.freshKeyWarn(exp, kid, age)
		}
		return pass(exp, quote(short(kid)), "The key is in the "+r.keysName()+".")
	}
	return r.kidNotFound(exp, kid)
}

func (r *run) keysName() string {
	if r.cfg.InlineJWKS != nil {
		return r.inlineName()
	}
	return "JWKS"
}

// inlineName names the inline keys the checks use: read from the Console, or recorded.
func (r *run) inlineName() string {
	if r.issuerFromConsole() {
		return "inline JWKS of the Console's issuer"
	}
	return "inline JWKS recorded for the Console"
}

func (r *run) kidNotFound(exp, kid string) Check {
	actual := fmt.Sprintf("%q; the %s has %s", short(kid), r.keysName(), strings.Join(quoteAll(r.keys.kids()), ", "))
	if r.cfg.InlineJWKS == nil {
		return fail(exp, actual, r.byKind("The token's kid is not in the JWKS: the provider's Signing Key changed after the token was issued, or the token comes from another provider.",
			"The token's kid is not in the JWKS: the issuer's signing key changed after the token was issued, or the token comes from another issuer."),
			r.byKind("Request a new token and check that it comes from this provider; after changing the Signing Key, wait a minute: Anthropic caches JWKS for about a minute.",
				"Request a new token and check that it comes from this issuer; publish new keys in the JWKS well before signing with them: Anthropic caches JWKS for about a minute."))
	}
	if r.remoteKeys != nil && r.remoteKeys.find(kid) != nil {
		return fail(exp, actual, r.issuerSubject()+" signs with a key its JWKS publishes but the inline JWKS in the Console lacks: "+r.byKind("the Signing Key was rotated", "the signing key was rotated")+", or the inline JWKS is outdated.", r.pasteJWKSFix())
	}
	return fail(exp, actual, "The token's kid is in neither the "+r.inlineName()+" nor "+r.byKind("authentik's", "the issuer's")+" JWKS.",
		r.byKind("Check the provider's Signing Key in authentik. ", "Check the issuer's signing keys. ")+r.pasteJWKSFix())
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote(short(s))
	}
	return out
}

const signatureExpected = "the signature verifies with the key named by kid"

func (r *run) checkSignature() Check {
	if r.jwt == nil {
		return skip(signatureExpected, r.jwtWhy)
	}
	if r.key == nil {
		return skip(signatureExpected, r.keyWhy)
	}
	alg := r.jwt.headerString("alg")
	if !wif.AlgorithmAllowed(alg) {
		return skip(signatureExpected, "Anthropic rejects "+quote(alg)+" before checking a signature: see header.alg.")
	}
	actual := fmt.Sprintf("%s with kid %q (%s)", alg, r.key.KeyID, keyType(*r.key))
	if err := verifySignature(r.jwt.raw, alg, r.key); err != nil {
		return fail(signatureExpected, actual+": does not verify", "The key published under this kid did not sign the token.",
			"The key was replaced under the same kid, or something rewrites the token: "+r.byKind("select the Signing Key again in authentik", "check the issuer's signing keys")+", request a new token"+r.inlineHint()+".")
	}
	return pass(signatureExpected, actual, "The signature verifies.")
}

func (r *run) inlineHint() string {
	if r.cfg.InlineJWKS != nil {
		return ", and paste the current JWKS into the Console's JWKS source (inline keys)"
	}
	return ""
}

// verifySignature checks a compact JWS against one public key with go-oidc's
// StaticKeySet.VerifySignature. StaticKeySet accepts every algorithm go-oidc knows (EdDSA too),
// so the restriction to the header's algorithm stays here: the caller has already required alg
// to be one Anthropic accepts, and the key must be of the type alg names (RSA for RS*/PS*, EC on
// alg's curve for ES*). go-jose rejects a header with duplicate members, so the alg it verifies
// with is the one the engine read. It reads no clock and opens no connection.
func verifySignature(raw, alg string, key *jose.JSONWebKey) error {
	if err := keyFitsAlg(key.Key, alg); err != nil {
		return fmt.Errorf("verifying with kid %q: %w", key.KeyID, err)
	}
	ks := &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{key.Key}}
	if _, err := ks.VerifySignature(context.Background(), raw); err != nil {
		return fmt.Errorf("verifying with kid %q: %w", key.KeyID, err)
	}
	return nil
}

// keyFitsAlg reports an error unless key is a public key that signs with alg.
func keyFitsAlg(key crypto.PublicKey, alg string) error {
	var curve elliptic.Curve
	switch alg {
	case oidc.RS256, oidc.RS384, oidc.RS512, oidc.PS256, oidc.PS384, oidc.PS512:
		if _, ok := key.(*rsa.PublicKey); ok {
			return nil
		}
		return fmt.Errorf("%s needs an RSA key, not %T", alg, key)
	case oidc.ES256:
		curve = elliptic.P256()
	case oidc.ES384:
		curve = elliptic.P384()
	case oidc.ES512:
		curve = elliptic.P521()
	default:
		return fmt.Errorf("algorithm %q is not verified here", alg)
	}
	if k, ok := key.(*ecdsa.PublicKey); ok && k.Curve == curve {
		return nil
	}
	return fmt.Errorf("%s needs an EC %s key", alg, curve.Params().Name)
}
