package workload

import (
	"strings"
	"testing"
)

func TestSystemdLiteral(t *testing.T) {
	cases := map[string]string{
		"secrets/anthropic": "secrets/anthropic",
		"a b":               `"a b"`,
		`it's "my" $dir`:    `"it's "'"'"my"'"'" $dir"`,
		"100%":              "100%%",
	}
	for in, want := range cases {
		if got, ok := systemdLiteral(in); !ok || got != want {
			t.Errorf("systemdLiteral(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{`back\slash`, ""} {
		if got, ok := systemdLiteral(in); ok {
			t.Errorf("systemdLiteral(%q) = %s; want it refused", in, got)
		}
	}
}

// A runtime folder systemd cannot name (a backslash) is made writable with ReadWritePaths= instead.
func TestSystemdTokenFolderWithBackslash(t *testing.T) {
	s, ok := RefreshSetup(fullConnection(), Options{TokenFile: `/run/back\slash/token`}, "systemd-unit")
	unit := s.Content
	if !ok {
		t.Fatal("no systemd-unit setup")
	}
	if strings.Contains(unit, "RuntimeDirectory=") || !strings.Contains(unit, "\nReadWritePaths=\"/run/back\\\\slash\"\n") {
		t.Errorf("unit:\n%s", unit)
	}
}
