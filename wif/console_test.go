package wif

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestConsoleRuleWorkspaces(t *testing.T) {
	cases := []struct {
		name     string
		rule     ConsoleRule
		required bool
		admits   map[string]bool
	}{
		{"OneWorkspace", ConsoleRule{WorkspaceIDs: []string{"wrkspc_a"}}, false,
			map[string]bool{"": true, "wrkspc_a": true, "wrkspc_b": false}},
		{"LegacyOnly", ConsoleRule{WorkspaceID: "wrkspc_a"}, false,
			map[string]bool{"": true, "wrkspc_a": true, "wrkspc_b": false}},
		{"LegacyAndSame", ConsoleRule{WorkspaceID: "wrkspc_a", WorkspaceIDs: []string{"wrkspc_a"}}, false,
			map[string]bool{"": true}},
		{"Two", ConsoleRule{WorkspaceIDs: []string{"wrkspc_a", "wrkspc_b"}}, true,
			map[string]bool{"": false, "wrkspc_a": true, "wrkspc_b": true, "wrkspc_c": false}},
		{"All", ConsoleRule{AppliesToAllWorkspaces: true}, true,
			map[string]bool{"": false, "wrkspc_z": true}},
		{"None", ConsoleRule{}, false, map[string]bool{"": false, "wrkspc_a": false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rule.WorkspaceRequired(); got != tc.required {
				t.Errorf("WorkspaceRequired = %v, want %v", got, tc.required)
			}
			for ws, want := range tc.admits {
				if got := tc.rule.EnabledIn(ws); got != want {
					t.Errorf("EnabledIn(%q) = %v, want %v", ws, got, want)
				}
			}
		})
	}
}

func TestScopes(t *testing.T) {
	dev := ServiceAccount{OrganizationRole: RoleDeveloper}
	admin := ServiceAccount{OrganizationRole: RoleAdmin}
	if dev.AllowsScope("org:admin") || !admin.AllowsScope("org:admin") || !dev.AllowsScope("workspace:inference") {
		t.Error("AllowsScope: org:admin needs the admin role, workspace scopes do not")
	}
	for scope, want := range map[string]bool{
		"workspace:developer": true, "workspace:inference": true, "workspace:developer workspace:inference": true,
		"org:admin": false, "workspace:inference workspace:manage_tunnels": false,
	} {
		if got := OAuthCallerMayWrite(scope); got != want {
			t.Errorf("OAuthCallerMayWrite(%q) = %v, want %v", scope, got, want)
		}
	}
	if got := (ConsoleRule{OAuthScope: " a  b "}).Scopes(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Scopes = %q", got)
	}
}

func TestConsoleRuleDecodesAPIShape(t *testing.T) {
	body := `{"id":"fdrl_1","type":"federation_rule","name":"ci","description":null,"issuer_id":"fdis_1",
	"match":{"subject_prefix":"ak-*","audience":"cid","claims":{"env":"prod"},"condition":"claims.x == 1"},
	"target":{"type":"service_account","service_account_id":"svac_1","service_account_name":"w"},
	"oauth_scope":"workspace:inference","token_lifetime_seconds":600,"workspace_id":null,
	"workspace_ids":["wrkspc_a"],"applies_to_all_workspaces":false,"created_at":"2026-01-02T03:04:05Z",
	"updated_at":"2026-01-02T03:04:05Z","archived_at":"2026-02-02T00:00:00Z","attributes":null}`
	var r ConsoleRule
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.Match.Claims["env"] != "prod" || r.Target.ServiceAccountID != "svac_1" || !r.Archived() ||
		r.TokenLifetime().Seconds() != 600 || !r.EnabledIn("") {
		t.Errorf("decoded %+v", r)
	}
	var i ConsoleIssuer
	if err := json.Unmarshal([]byte(`{"id":"fdis_1","issuer_url":"https://a/b/","jwks":{"type":"inline","keys":[{"kty":"RSA"}]},"max_jwt_lifetime_seconds":60,"check_jti":true,"archived_at":null}`), &i); err != nil {
		t.Fatal(err)
	}
	if i.Archived() || i.MaxJWTLifetime().Seconds() != 60 || string(i.JWKS.Keys) != `[{"kty":"RSA"}]` || i.DiscoveryURL() != "https://a/b//.well-known/openid-configuration" {
		t.Errorf("decoded %+v", i)
	}
}
