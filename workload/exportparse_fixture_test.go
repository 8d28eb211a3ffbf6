package workload_test

import (
	"path"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// The export tests read every file back with the program that will read it — a YAML library,
// a dotenv library, sh and bash, curl and jq, systemd-analyze — and compare what it understood
// with the connection. Values carry single and double quotes, $, a backtick, a backslash,
// spaces, % and non-ASCII letters, so any quoting slip changes what is read.

// awkward is a connection whose every exported value needs quoting, in YAML too: a leading * or
// ", and " #" or ": " inside, change what a plain scalar says. No value ends with a double
// quote: godotenv v1.5.1 trims every quote off the end of a double-quoted value, escaped or not,
// so no dotenv quoting can carry one to it.
func awkward() wif.Connection {
	return wif.Connection{
		Name:             `CI prod "eu" — ü`,
		AuthentikURL:     "https://auth.example.org",
		AppSlug:          "ci-prod",
		ProviderName:     "ci-prod",
		IssuerURL:        "https://auth.example.org/application/o/it's $x ü/",
		DiscoveryBase:    "https://auth-internal.example.org/application/o/it's $x ü",
		TokenURL:         "https://auth-internal.example.org/application/o/token/?a=1&b='2'",
		ClientID:         `client: "id" $1 \ ü`,
		Scope:            `openid "profile" $SCOPE`,
		TokenField:       wif.TokenFieldIDToken,
		CAPEM:            "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n",
		SecretRef:        "env:AK_SECRET",
		FederationRuleID: "fdrl_a'b \"c\" $HOME `id` \\ 100% * ü #not-a-comment: x",
		OrganizationID:   "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b $ORG 'x'",
		ServiceAccountID: `"svac" \back $(id)`,
		WorkspaceID:      "* wrkspc_ ${PATH} ü",
		AnthropicBaseURL: "https://gw.example.org/it's/$x/\"q\"/v1",
	}
}

// awkwardOptions put the token file and the secret file at paths that need quoting too.
func awkwardOptions() workload.Options {
	return workload.Options{
		TokenFile:        "/var/run/it's \"my\" $dir/tö ken/identity",
		ClientSecretFile: "/etc/wif wiz/$secret's \"file\"",
		Image:            "registry.example.org/wifwiz:v1.2",
	}
}

// wantEnv is the environment the workload must end up with, from the connection itself.
func wantEnv(c wif.Connection, o workload.Options) map[string]string {
	env := map[string]string{
		"ANTHROPIC_FEDERATION_RULE_ID": c.FederationRuleID,
		"ANTHROPIC_ORGANIZATION_ID":    c.OrganizationID,
		"ANTHROPIC_SERVICE_ACCOUNT_ID": c.ServiceAccountID,
		"ANTHROPIC_WORKSPACE_ID":       c.WorkspaceID,
		"ANTHROPIC_BASE_URL":           c.AnthropicBaseURL,
	}
	if o.TokenSource != workload.TokenFromEnv {
		env["ANTHROPIC_IDENTITY_TOKEN_FILE"] = o.TokenFile
	}
	return env
}

// setup returns the refresh setup with the given ID.
func setup(t *testing.T, c wif.Connection, o workload.Options, id string) workload.Setup {
	t.Helper()
	s, ok := workload.RefreshSetup(c, o, id)
	if !ok {
		t.Fatalf("no refresh setup %q", id)
	}
	return s
}

func render(t *testing.T, c wif.Connection, format string, o workload.Options) string {
	t.Helper()
	out, err := workload.Render(c, format, o)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tokenDir(o workload.Options) string { return path.Dir(o.TokenFile) }

func assertEnv(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: %s is not set, want %q", what, k, w)
		} else if g != w {
			t.Errorf("%s: %s = %q, want %q", what, k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s = %q is set, want it absent", what, k, g)
		}
	}
}
