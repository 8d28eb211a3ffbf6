// Package secretref resolves a stored reference to a client secret (env:NAME or file:/path) at
// the moment a verification needs it. The secret itself is never stored.
package secretref

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretBytes bounds what is read from a secret file.
const maxSecretBytes = 64 << 10

// Resolve returns the secret ref points to, trimmed of surrounding white space. getenv is
// os.Getenv outside tests. The error names the reference, never a value.
func Resolve(ref string, getenv func(string) string) (string, error) {
	kind, target, ok := strings.Cut(ref, ":")
	switch {
	case ref == "":
		return "", fmt.Errorf("no secret reference is recorded")
	case !ok:
		return "", fmt.Errorf("secret reference %q must be env:NAME or file:/path", ref)
	case kind == "env":
		v := strings.TrimSpace(getenv(target))
		if v == "" {
			return "", fmt.Errorf("environment variable %s (from secret reference %s) is empty or not set", target, ref)
		}
		return v, nil
	case kind == "file":
		return readFile(target)
	}
	return "", fmt.Errorf("secret reference %q must start with env: or file: (env:NAME or file:/path)", ref)
}

func readFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read secret file %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretBytes+1))
	if err != nil {
		return "", fmt.Errorf("read secret file %s: %w", path, err)
	}
	if len(b) > maxSecretBytes {
		return "", fmt.Errorf("secret file %s is larger than %d bytes: is it the right file?", path, maxSecretBytes)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("secret file %s is empty", path)
	}
	return v, nil
}

// Resolver resolves references with an environment lookup (os.Getenv outside tests).
type Resolver struct {
	Getenv func(string) string
}

// Resolve returns the secret ref points to.
func (r Resolver) Resolve(ref string) (string, error) {
	getenv := r.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return Resolve(ref, getenv)
}
