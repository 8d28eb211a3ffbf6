package secretref_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/secretref"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "secret")
	os.WriteFile(good, []byte("  s3cr3t\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	env := map[string]string{"AK_SECRET": "from-env"}
	getenv := func(k string) string { return env[k] }

	ok := []struct{ ref, want string }{
		{"env:AK_SECRET", "from-env"},
		{"file:" + good, "s3cr3t"},
	}
	for _, tt := range ok {
		got, err := secretref.Resolve(tt.ref, getenv)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
		}
	}
	bad := []struct{ ref, want string }{
		{"", "no secret reference"},
		{"env:MISSING", "MISSING"},
		{"file:" + empty, "is empty"},
		{"file:/no/such/file", "/no/such/file"},
		{"vault:x", "must start with env: or file:"},
		{"justasecret", "must be env:NAME or file:/path"},
	}
	for _, tt := range bad {
		_, err := secretref.Resolve(tt.ref, getenv)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Resolve(%q) error = %v, want it to mention %q", tt.ref, err, tt.want)
		}
	}
}
