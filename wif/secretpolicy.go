package wif

import (
	"path/filepath"
	"slices"
	"strings"
)

// DefaultSecretEnvPrefix is the only environment-variable prefix a secret reference set through the
// web wizard may name unless the operator chooses another (`serve --secret-env-prefix`).
const DefaultSecretEnvPrefix = "WIFWIZ_SECRET_"

// SecretPolicy is what the operator allowed web users to reference at start: file: references
// only inside Dir (none when Dir is empty), env: references only with EnvPrefix. It exists because
// the server resolves a reference with its own rights and sends the result to a URL the web user
// chose (docs/security.md).
type SecretPolicy struct {
	Dir       string // absolute, cleaned; empty: no file: references
	EnvPrefix string // non-empty
	// EnvNames are variables allowed by exact name whatever the prefix: the built-in demo's,
	// which the demo itself answers (serve --demo).
	EnvNames []string
}

// Allows reports whether ref names a place the policy allows. The answer never says why: a
// web user must not learn anything about the server's files or environment from it.
func (p SecretPolicy) Allows(ref string) bool {
	kind, target, ok := strings.Cut(ref, ":")
	if !ok || secretRefProblem(ref) != "" {
		return false
	}
	switch kind {
	case "env":
		return slices.Contains(p.EnvNames, target) ||
			p.EnvPrefix != "" && strings.HasPrefix(target, p.EnvPrefix) && len(target) > len(p.EnvPrefix)
	case "file":
		return p.Dir != "" && within(p.Dir, target)
	}
	return false
}

// Describe says what may be referenced, for the hint beside the field.
func (p SecretPolicy) Describe() string {
	s := "env:" + p.EnvPrefix + "NAME (an environment variable of the wifwiz server)"
	if p.Dir != "" {
		s += " or file:" + filepath.Join(p.Dir, "NAME") + " (a file in the secrets directory)"
	}
	return s
}

// within reports whether path is a file strictly inside dir, after cleaning (no ".." escape).
func within(dir, path string) bool {
	if !filepath.IsAbs(path) {
		return false
	}
	rel, err := filepath.Rel(dir, filepath.Clean(path))
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel)
}

// SecretOrigin is the origin (scheme://host:port) the client secret of c is sent to: the token
// URL's when one is recorded, else the discovery base's (the token endpoint must share it). A
// secret reference is bound to this origin when it is set; "" when no URL is recorded.
func SecretOrigin(c Connection) string {
	for _, raw := range []string{c.TokenURL, c.DiscoveryBase, c.IssuerURL} {
		if raw == "" {
			continue
		}
		return Origin(raw)
	}
	return ""
}

// ConsoleOrigin is where a Console token goes: the Anthropic API base URL's origin.
func ConsoleOrigin(c Connection) string {
	base := c.AnthropicBaseURL
	if base == "" {
		base = DefaultAnthropicBaseURL
	}
	return Origin(base)
}

// AuthentikOrigin is where an authentik API token goes: authentik's origin.
func AuthentikOrigin(c Connection) string {
	if c.AuthentikURL != "" {
		return Origin(c.AuthentikURL)
	}
	return Origin(EffectiveIssuerURL(c))
}
