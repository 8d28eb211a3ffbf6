package workload

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

const (
	plantedSecret = "PLANTED-client-secret-7c1e9a"
	plantedJWT    = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlLXBsYW50ZWQ"
	plantedKey    = "sk-ant-api03-PLANTEDkey"
)

// jwtLike and keyLike find what must never appear in any output.
var (
	jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.`)
	keyLike = regexp.MustCompile(`sk-ant-`)
)

// everyOutput renders every format, every refresh setup and the checklist.
func everyOutput(t *testing.T, c wif.Connection, cl Checklist) map[string]string {
	t.Helper()
	outs := map[string]string{}
	for _, mode := range []string{TokenFromFile, TokenFromEnv} {
		o := Options{TokenSource: mode}
		for _, f := range Formats() {
			out, err := Render(c, f, o)
			if err != nil {
				t.Fatalf("%s/%s: %v", mode, f, err)
			}
			outs[mode+"/"+f] = out
		}
		for _, s := range RefreshSetups(c, o) {
			outs[mode+"/"+s.Filename] = s.Content
		}
		cl.Connection = c
		outs[mode+"/markdown"] = Markdown(cl, o)
	}
	return outs
}

// leakyChecklist carries tokens in every free-text place a report could hold them.
func leakyChecklist() Checklist {
	return Checklist{
		RecordedBy: "cli:" + plantedJWT, RecordedAt: recordedAt, GeneratedAt: generatedAt,
		LastRun: &LastRun{At: recordedAt, Trigger: wif.TriggerCLI, Checks: []verify.Check{
			{ID: verify.CheckClaimSub, Status: verify.Fail, Expected: plantedJWT, Actual: "Bearer " + plantedJWT,
				Message: "token " + plantedJWT + " rejected", Fix: "do not use " + plantedKey},
			{ID: verify.CheckExchange, Status: verify.Fail, Actual: plantedKey + "…"},
		}},
		Warnings: []string{"saw " + plantedJWT, "saw " + plantedKey},
	}
}

func assertNoSecrets(t *testing.T, outs map[string]string) {
	t.Helper()
	for name, out := range outs {
		switch {
		case strings.Contains(out, plantedSecret):
			t.Errorf("%s contains the planted secret", name)
		case jwtLike.MatchString(out):
			t.Errorf("%s contains a JWT: %s", name, jwtLike.FindString(out))
		case keyLike.MatchString(out):
			t.Errorf("%s contains an Anthropic key", name)
		}
	}
}

// TestNoSecretResolved: the secret behind env: and file: references is never read.
func TestNoSecretResolved(t *testing.T) {
	t.Setenv("AK_SECRET", plantedSecret)
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(plantedSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"env:AK_SECRET", "file:" + file} {
		c := workspaceConnection()
		c.SecretRef = ref
		outs := everyOutput(t, c, leakyChecklist())
		assertNoSecrets(t, outs)
		if !strings.Contains(outs["file/markdown"], ref) {
			t.Errorf("the checklist does not say where the secret lives (%s)", ref)
		}
	}
}

// TestNoSecretPastedByMistake: a secret or token typed where a reference or an ID belongs is
// never rendered.
func TestNoSecretPastedByMistake(t *testing.T) {
	cases := map[string]func(*wif.Connection){
		"SecretRefIsTheSecret": func(c *wif.Connection) { c.SecretRef = plantedSecret },
		"SecretRefIsAJWT":      func(c *wif.Connection) { c.SecretRef = plantedJWT },
		"SecretRefEnvOfJWT":    func(c *wif.Connection) { c.SecretRef = "env:" + plantedJWT },
		"IDsAreKeys": func(c *wif.Connection) {
			c.FederationRuleID, c.ServiceAccountID, c.WorkspaceID = plantedKey, plantedKey, plantedKey
			c.OrganizationID = plantedJWT
		},
		"ClientIDIsAJWT":  func(c *wif.Connection) { c.ClientID, c.Audience = plantedJWT, plantedJWT },
		"InlineJWKSHasIt": func(c *wif.Connection) { c.InlineJWKS = `{"keys":[],"x":"` + plantedJWT + `"}` },
		"BaseURLHasAKey":  func(c *wif.Connection) { c.AnthropicBaseURL = "https://x.example/" + plantedKey },
	}
	for name, plant := range cases {
		t.Run(name, func(t *testing.T) {
			c := workspaceConnection()
			plant(&c)
			assertNoSecrets(t, everyOutput(t, c, leakyChecklist()))
		})
	}
}
