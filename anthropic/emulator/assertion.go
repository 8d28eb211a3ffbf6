package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// allowedAlgs are the signature algorithms Anthropic accepts (docs/facts.md); HS* and none are not.
var allowedAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.PS256, jose.PS384, jose.PS512,
}

// parseAlgs also admits HS* so that such a token is refused for its alg, not as malformed.
var parseAlgs = append(slices.Clone(allowedAlgs), jose.HS256, jose.HS384, jose.HS512)

type claims struct {
	Iss *string          `json:"iss"`
	Sub string           `json:"sub"`
	Aud jwt.Audience     `json:"aud"`
	Exp *jwt.NumericDate `json:"exp"`
	Iat *jwt.NumericDate `json:"iat"`
	Nbf *jwt.NumericDate `json:"nbf"`
	Jti string           `json:"jti"`
}

func (s *Server) checkAssertion(ctx context.Context, rule Rule, raw string) (claims, *denial) {
	payload, d := s.verifySignature(ctx, rule, raw)
	if d != nil {
		return claims{}, d
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, &denial{reason: DenyFormat, detail: "claims are not a JSON object of the expected types"}
	}
	if d := rule.checkIdentity(c); d != nil {
		return c, d
	}
	if d := rule.checkTimes(c, s.clock()); d != nil {
		return c, d
	}
	return c, rule.checkMatch(ctx, payload)
}

// checkMatch applies the claims matchers (top-level string claims, exact) and the condition.
func (r Rule) checkMatch(ctx context.Context, payload []byte) *denial {
	if len(r.Claims) == 0 && r.Condition == "" {
		return nil
	}
	var all map[string]any
	if err := json.Unmarshal(payload, &all); err != nil {
		return &denial{reason: DenyFormat, detail: "claims are not a JSON object"}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Claims)) {
		want := r.Claims[name]
		v, present := all[name]
		got, isString := v.(string)
		switch {
		case !present:
			return &denial{reason: DenyClaims, detail: fmt.Sprintf("claim %q is absent (the rule wants %q)", name, want)}
		case !isString:
			return &denial{reason: DenyClaims, detail: fmt.Sprintf("claim %q is not a string (%v); only a condition can match it", name, v)}
		case got != want:
			return &denial{reason: DenyClaims, detail: fmt.Sprintf("claim %q is %q, the rule wants %q", name, got, want)}
		}
	}
	if r.Condition == "" {
		return nil
	}
	if err := evalCondition(ctx, r.Condition, all); err != nil {
		return &denial{reason: DenyCondition, detail: err.Error()}
	}
	return nil
}

func (s *Server) verifySignature(ctx context.Context, rule Rule, raw string) ([]byte, *denial) {
	jws, err := jose.ParseSignedCompact(raw, parseAlgs)
	if err != nil {
		if alg := headerAlg(raw); alg != "" && !slices.Contains(parseAlgs, jose.SignatureAlgorithm(alg)) {
			return nil, &denial{reason: DenyAlg, detail: fmt.Sprintf("alg %q is not accepted", alg)}
		}
		return nil, &denial{reason: DenyFormat, detail: "not a compact JWS"}
	}
	h := jws.Signatures[0].Header
	if !slices.Contains(allowedAlgs, jose.SignatureAlgorithm(h.Algorithm)) {
		return nil, &denial{reason: DenyAlg, detail: fmt.Sprintf("alg %q is not accepted", h.Algorithm)}
	}
	if h.KeyID == "" {
		return nil, &denial{reason: DenyKID, detail: "the token header has no kid"}
	}
	keys, err := s.keys(ctx, rule)
	if err != nil {
		return nil, &denial{reason: DenyJWKS, detail: err.Error()}
	}
	return verifyWithKID(jws, keys, h.KeyID)
}

func verifyWithKID(jws *jose.JSONWebSignature, keys jose.JSONWebKeySet, kid string) ([]byte, *denial) {
	found := false
	for _, k := range keys.Key(kid) {
		if k.Use == "enc" {
			continue
		}
		found = true
		if payload, err := jws.Verify(k.Key); err == nil {
			return payload, nil
		}
	}
	if !found {
		return nil, &denial{reason: DenyKID, detail: fmt.Sprintf("kid %q is not in the issuer's JWKS", kid)}
	}
	return nil, &denial{reason: DenySignature, detail: fmt.Sprintf("the signature does not verify with key %q", kid)}
}

// headerAlg reads alg from a token go-jose refused to parse, to name an unsupported alg.
func headerAlg(raw string) string {
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	_ = json.Unmarshal(b, &h)
	return h.Alg
}

func (r Rule) checkIdentity(c claims) *denial {
	switch {
	case c.Iss == nil:
		return &denial{reason: DenyIss, detail: "the token has no iss"}
	case *c.Iss != r.IssuerURL:
		return &denial{reason: DenyIss, detail: fmt.Sprintf("iss %q is not the issuer URL %q", *c.Iss, r.IssuerURL)}
	case c.Sub == "":
		return &denial{reason: DenySub, detail: "the token has no sub"}
	case !r.matchSubject(c.Sub):
		return &denial{reason: DenySub, detail: fmt.Sprintf("sub %q does not match the subject prefix %q", c.Sub, r.SubjectPrefix)}
	case !c.Aud.Contains(r.Audience):
		return &denial{reason: DenyAud, detail: fmt.Sprintf("aud %q does not contain the audience %q", []string(c.Aud), r.Audience)}
	}
	return nil
}

func (r Rule) checkTimes(c claims, now time.Time) *denial {
	switch {
	case c.Exp == nil:
		return &denial{reason: DenyExp, detail: "the token has no exp"}
	case now.After(c.Exp.Time().Add(leeway)):
		return &denial{reason: DenyExp, detail: fmt.Sprintf("the token expired at %s", stamp(c.Exp))}
	case c.Iat == nil:
		return &denial{reason: DenyIat, detail: "the token has no iat"}
	case c.Iat.Time().After(now.Add(leeway)):
		return &denial{reason: DenyIat, detail: fmt.Sprintf("iat %s is in the future", stamp(c.Iat))}
	case c.Nbf != nil && c.Nbf.Time().After(now.Add(leeway)):
		return &denial{reason: DenyNbf, detail: fmt.Sprintf("nbf %s is in the future", stamp(c.Nbf))}
	}
	if life := c.Exp.Time().Sub(c.Iat.Time()); life > r.MaxIdentityTokenLifetime {
		return &denial{reason: DenyLifetime, detail: fmt.Sprintf("exp − iat is %s, above the maximum identity token lifetime %s", life, r.MaxIdentityTokenLifetime)}
	}
	return nil
}

func stamp(d *jwt.NumericDate) string { return d.Time().UTC().Format(time.RFC3339) }

// consume records the token's jti for its issuer; a second exchange with it is a replay.
// Only a token that passed every other check is consumed.
func (s *Server) consume(rule Rule, c claims) *denial {
	if rule.AllowJTIReuse || c.Jti == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	seen := s.seen[rule.IssuerURL]
	if seen == nil {
		seen = map[string]time.Time{}
		s.seen[rule.IssuerURL] = seen
	}
	for jti, forget := range seen {
		if now.After(forget) {
			delete(seen, jti)
		}
	}
	if _, used := seen[c.Jti]; used {
		return &denial{reason: DenyReplay, detail: fmt.Sprintf("jti %q was already exchanged for issuer %q", c.Jti, rule.IssuerURL)}
	}
	seen[c.Jti] = c.Exp.Time().Add(leeway)
	return nil
}
