package emulator

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// `wifwiz serve --demo` links both emulators into the production binary, which must not carry
// net/http/httptest.
func TestEmulatorsDoNotLinkHTTPTest(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("go not found: %v", err)
		}
		t.Skip("go not found")
	}
	out, err := exec.Command(goTool, "list", "-deps",
		"github.com/wifwiz/wifwiz/authentik/emulator", "github.com/wifwiz/wifwiz/anthropic/emulator", "github.com/wifwiz/wifwiz/demo").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list gave %d packages", len(deps))
	}
	for _, d := range deps {
		if d == "net/http/httptest" {
			t.Fatal("an emulator links net/http/httptest")
		}
	}
}
