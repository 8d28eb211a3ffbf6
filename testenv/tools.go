package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Tool is the path of an external program a test needs (prometheus, promtool, systemd-analyze):
// without it the test is skipped, except in CI (CI set), where it fails — .ci/run installs it.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed: .ci/run installs it with apt-get install %s", name, debianPackage)
	}
	t.Skipf("%s not installed (apt-get install %s); skipped", name, debianPackage)
	return ""
}
