package emulator

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
)

var namePattern = regexp.MustCompile(`^[a-z0-9-]+$`)

func checkName(name string) *apiError {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return badField("name", "Field required")
	case n > maxNameLength:
		return badField("name", "must be at most %d characters", maxNameLength)
	case !namePattern.MatchString(name):
		return badField("name", "must contain only lowercase letters, digits and hyphens")
	}
	return nil
}

func checkDescription(d string) *apiError {
	if utf8.RuneCountInString(d) > maxDescription {
		return badField("description", "must be at most %d characters", maxDescription)
	}
	return nil
}

// checkDialURL applies the rules for a URL Anthropic dials: https, port 443, a public DNS
// name rather than an IP literal. (Anthropic also resolves the name and refuses private
// addresses; the emulator has no DNS to ask.) With loopbackURLs, https on a loopback host and
// any port is allowed for tests.
func (c *console) checkDialURL(field, raw string) *apiError {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return badField(field, "url is not a valid absolute URL")
	}
	if u.Scheme != "https" {
		return badField(field, "url must use https scheme")
	}
	host := u.Hostname()
	if c.loopbackURLs && (host == "localhost" || net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback()) {
		return nil
	}
	switch {
	case u.Port() != "" && u.Port() != "443":
		return badField(field, "url must use port 443")
	case net.ParseIP(host) != nil:
		return badField(field, "url must use a DNS hostname, not an IP address")
	case host == "localhost" || !strings.Contains(host, "."):
		return badField(field, "url must use a public DNS hostname")
	}
	return nil
}

// decodeJWKS reads and checks an issuer's jwks object.
func (c *console) decodeJWKS(b body, issuerURL string) (JWKSSource, *apiError) {
	var j JWKSSource
	if _, e := b.str("jwks.", "type", &j.Type); e != nil {
		return j, e
	}
	allowed := map[string][]string{
		"discovery": {"type", "discovery_base", "ca_cert_pem"}, "explicit_url": {"type", "url", "ca_cert_pem"}, "inline": {"type", "keys"},
	}[j.Type]
	if allowed == nil {
		return j, badField("jwks.type", "must be one of discovery, explicit_url, inline")
	}
	if e := b.only("jwks.", allowed); e != nil {
		return j, e
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"discovery_base", &j.DiscoveryBase}, {"url", &j.URL}, {"ca_cert_pem", &j.CACertPEM}} {
		if _, e := b.str("jwks.", f.name, f.dst); e != nil {
			return j, e
		}
	}
	j.Keys = b["keys"]
	return j, c.checkJWKS(j, issuerURL)
}

func (c *console) checkJWKS(j JWKSSource, issuerURL string) *apiError {
	if e := checkCACert(j.CACertPEM); e != nil {
		return e
	}
	switch j.Type {
	case "discovery":
		if j.DiscoveryBase != "" {
			return c.checkDialURL("jwks.discovery_base", j.DiscoveryBase)
		}
		return c.checkDialURL("issuer_url", issuerURL)
	case "explicit_url":
		if j.URL == "" {
			return badField("jwks.url", "Field required")
		}
		return c.checkDialURL("jwks.url", j.URL)
	}
	return checkInlineKeys(j.Keys)
}

func checkCACert(p string) *apiError {
	if p == "" {
		return nil
	}
	if len(p) > maxCACertPEM {
		return badField("jwks.ca_cert_pem", "must be at most %d characters", maxCACertPEM)
	}
	block, _ := pem.Decode([]byte(p))
	if block == nil || block.Type != "CERTIFICATE" {
		return badField("jwks.ca_cert_pem", "must be a PEM-encoded certificate")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return badField("jwks.ca_cert_pem", "certificate could not be parsed")
	}
	return nil
}

func checkInlineKeys(raw json.RawMessage) *apiError {
	var keys []json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return badField("jwks.keys", "Input should be a valid list of JWKs (the bare keys array)")
	}
	if len(keys) == 0 {
		return badField("jwks.keys", "List should have at least 1 item")
	}
	for i, k := range keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(k); err != nil {
			return badField(fmt.Sprintf("jwks.keys.%d", i), "not a valid JWK: %v", err)
		}
		if !jwk.IsPublic() || !jwk.Valid() {
			return badField(fmt.Sprintf("jwks.keys.%d", i), "must be a public asymmetric signing key")
		}
	}
	return nil
}

// decodeMatch reads and checks a rule's match block.
func decodeMatch(b body) (Match, *apiError) {
	var m Match
	if b == nil {
		return m, badField("match", "Field required")
	}
	if e := b.only("match.", []string{"subject_prefix", "audience", "claims", "condition"}); e != nil {
		return m, e
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"subject_prefix", &m.SubjectPrefix}, {"audience", &m.Audience}, {"condition", &m.Condition}} {
		if _, e := b.str("match.", f.name, f.dst); e != nil {
			return m, e
		}
	}
	if raw, ok := b["claims"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &m.Claims) != nil {
			return m, badField("match.claims", "Input should be a valid dictionary of strings")
		}
	}
	return m, checkMatch(m)
}

func checkMatch(m Match) *apiError {
	switch {
	case m.SubjectPrefix == "" && len(m.Claims) == 0 && m.Condition == "":
		return badField("match", "at least one of subject_prefix, claims or condition is required")
	case m.SubjectPrefix == "*":
		return badField("match.subject_prefix", "'*' alone is not allowed")
	case utf8.RuneCountInString(m.SubjectPrefix) > maxMatchLength:
		return badField("match.subject_prefix", "must be at most %d characters", maxMatchLength)
	case utf8.RuneCountInString(m.Audience) > maxMatchLength:
		return badField("match.audience", "must be at most %d characters", maxMatchLength)
	case utf8.RuneCountInString(m.Condition) > maxConditionLength:
		return badField("match.condition", "must be at most %d characters", maxConditionLength)
	}
	for k := range m.Claims {
		if k == "" {
			return badField("match.claims", "claim names must not be empty")
		}
	}
	if m.Condition != "" {
		if _, err := compileCondition(m.Condition); err != nil {
			return badField("match.condition", "%v", err)
		}
	}
	return nil
}

// checkScope reads oauth_scope: known scopes only, and only the two workspace scopes an OAuth
// caller may grant; the others need a Console session.
func checkScope(scope string) *apiError {
	fields := strings.Fields(scope)
	if len(fields) == 0 {
		return badField("oauth_scope", "Field required")
	}
	for _, f := range fields {
		if !slices.Contains(knownScopes, f) {
			return badField("oauth_scope", "unknown scope %q", f)
		}
	}
	if !oauthWritable(scope) {
		return forbidden("oauth_scope: rules granting %s can only be created or changed in a Console session", scope)
	}
	return nil
}

// oauthWritable: an OAuth caller may write a rule only with workspace:developer/inference.
func oauthWritable(scope string) bool {
	for _, f := range strings.Fields(scope) {
		if f != defaultScope && f != scopeInference {
			return false
		}
	}
	return true
}

func checkRange(field string, v, lo, hi int) *apiError {
	if v < lo || v > hi {
		return badField(field, "must be between %d and %d", lo, hi)
	}
	return nil
}
