package workload

import (
	"slices"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

func names(vars []EnvVar) []string {
	var ns []string
	for _, v := range vars {
		ns = append(ns, v.Name)
	}
	return ns
}

func TestEnvVarsOrder(t *testing.T) {
	cases := []struct {
		name string
		c    wif.Connection
		o    Options
		want []string
	}{
		{"OK", fullConnection(), Options{}, []string{EnvFederationRuleID, EnvOrganizationID, EnvServiceAccountID, EnvIdentityTokenFile}},
		{"WorkspaceAndBaseURL", workspaceConnection(), Options{}, []string{EnvFederationRuleID, EnvOrganizationID,
			EnvServiceAccountID, EnvIdentityTokenFile, EnvWorkspaceID, EnvBaseURL}},
		{"EnvMode", fullConnection(), Options{TokenSource: TokenFromEnv}, []string{EnvFederationRuleID, EnvOrganizationID,
			EnvServiceAccountID, EnvIdentityToken}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(EnvVars(tc.c, tc.o)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEnvVarsDefaultBaseURLLeftOut(t *testing.T) {
	for _, base := range []string{"", wif.DefaultAnthropicBaseURL, wif.DefaultAnthropicBaseURL + "/"} {
		c := fullConnection()
		c.AnthropicBaseURL = base
		if slices.Contains(names(EnvVars(c, Options{})), EnvBaseURL) {
			t.Errorf("base URL %q: %s rendered, want it left out", base, EnvBaseURL)
		}
	}
}

func TestEnvVarsValues(t *testing.T) {
	vars := EnvVars(workspaceConnection(), Options{TokenFile: "/run/wl/token"})
	want := map[string]string{
		EnvFederationRuleID: "fdrl_01HNightlyRule", EnvOrganizationID: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
		EnvServiceAccountID: "svac_01HNightly", EnvIdentityTokenFile: "/run/wl/token",
		EnvWorkspaceID: "wrkspc_01HCiProd", EnvBaseURL: "https://anthropic-gateway.example.org",
	}
	for _, v := range vars {
		if v.Value != want[v.Name] || v.Kind != Recorded {
			t.Errorf("%s = %q (kind %d), want %q recorded", v.Name, v.Value, v.Kind, want[v.Name])
		}
	}
}

func TestEnvVarsPlaceholders(t *testing.T) {
	c := draftConnection()
	c.WorkspaceID = "sk-ant-api03-pastedByMistake" // a key in an ID field is never rendered
	want := map[string]string{
		EnvFederationRuleID: PlaceholderFederationRuleID, EnvOrganizationID: PlaceholderOrganizationID,
		EnvServiceAccountID: PlaceholderServiceAccountID, EnvWorkspaceID: "wrkspc_…",
	}
	for _, v := range EnvVars(c, Options{}) {
		if v.Name == EnvIdentityTokenFile {
			continue
		}
		if v.Kind != Placeholder || v.Value != want[v.Name] || !strings.HasPrefix(v.Comment, "TODO: ") {
			t.Errorf("%s: got %+v, want placeholder %q with a TODO comment", v.Name, v, want[v.Name])
		}
	}
}

func TestEnvVarsEnvModeHasNoValue(t *testing.T) {
	for _, v := range EnvVars(fullConnection(), Options{TokenSource: TokenFromEnv}) {
		if v.Name == EnvIdentityToken && (v.Kind != SetByWorkload || v.Value != "" || v.Comment == "") {
			t.Errorf("got %+v, want a note without a value", v)
		}
	}
}
