package workload

import (
	"testing"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

func checks(statuses map[string]verify.Status) []verify.Check {
	var cs []verify.Check
	for id, s := range statuses {
		cs = append(cs, verify.Check{ID: id, Status: s})
	}
	return cs
}

func TestSettingVerdicts(t *testing.T) {
	inline := workspaceConnection() // inline JWKS, hashed subject mode, workspace set
	noWorkspace := fullConnection() // discovery JWKS, username subject mode
	cases := []struct {
		name   string
		c      wif.Connection
		ran    map[string]verify.Status
		field  string
		want   verify.Status
		absent bool
	}{
		{"IssuerAllPass", noWorkspace, map[string]verify.Status{verify.CheckIssuerURL: verify.Pass,
			verify.CheckDiscoveryIssuer: verify.Pass, verify.CheckClaimIss: verify.Pass}, wif.FieldIssuerURL, verify.Pass, false},
		{"IssuerOneFails", noWorkspace, map[string]verify.Status{verify.CheckDiscoveryIssuer: verify.Pass,
			verify.CheckClaimIss: verify.Fail}, wif.FieldIssuerURL, verify.Fail, false},
		{"IssuerPartlySkipped", noWorkspace, map[string]verify.Status{verify.CheckDiscoveryIssuer: verify.Pass,
			verify.CheckClaimIss: verify.Skip}, wif.FieldIssuerURL, verify.Skip, false},
		{"WarnOverSkip", noWorkspace, map[string]verify.Status{verify.CheckIssuerURL: verify.Warn,
			verify.CheckClaimIss: verify.Skip}, wif.FieldIssuerURL, verify.Warn, false},
		{"NotInRun", noWorkspace, map[string]verify.Status{verify.CheckClaimSub: verify.Pass}, wif.FieldIssuerURL, "", true},
		{"SubjectPrefix", noWorkspace, map[string]verify.Status{verify.CheckClaimSub: verify.Fail}, wif.FieldSubjectPrefix, verify.Fail, false},
		{"SubjectMode", noWorkspace, map[string]verify.Status{verify.CheckClaimSub: verify.Warn}, wif.FieldSubjectMode, verify.Warn, false},
		{"ProviderNameInUsernameMode", noWorkspace, map[string]verify.Status{verify.CheckClaimSub: verify.Fail}, wif.FieldProviderName, verify.Fail, false},
		{"ProviderNameInHashedMode", inline, map[string]verify.Status{verify.CheckClaimSub: verify.Fail}, wif.FieldProviderName, "", true},
		{"Audience", noWorkspace, map[string]verify.Status{verify.CheckClaimAud: verify.Pass}, wif.FieldAudience, verify.Pass, false},
		{"ClientID", noWorkspace, map[string]verify.Status{verify.CheckTokenRequest: verify.Fail}, wif.FieldClientID, verify.Fail, false},
		{"MaxLifetime", noWorkspace, map[string]verify.Status{verify.CheckLifetime: verify.Fail}, wif.FieldMaxIdentityTokenLifetime, verify.Fail, false},
		{"Validity", noWorkspace, map[string]verify.Status{verify.CheckLifetime: verify.Fail}, wif.FieldAccessTokenValidity, verify.Fail, false},
		{"TokenLifetime", noWorkspace, map[string]verify.Status{verify.CheckRuleLifetime: verify.Warn}, wif.FieldTokenLifetime, verify.Warn, false},
		{"RuleID", noWorkspace, map[string]verify.Status{verify.CheckConsoleIDs: verify.Pass}, wif.FieldFederationRuleID, verify.Pass, false},
		{"RuleIDExchangeFailed", noWorkspace, map[string]verify.Status{verify.CheckConsoleIDs: verify.Pass,
			verify.CheckExchange: verify.Fail}, wif.FieldFederationRuleID, verify.Fail, false},
		{"EmptyWorkspace", noWorkspace, map[string]verify.Status{verify.CheckConsoleIDs: verify.Pass}, wif.FieldWorkspaceID, "", true},
		{"Workspace", inline, map[string]verify.Status{verify.CheckConsoleIDs: verify.Fail}, wif.FieldWorkspaceID, verify.Fail, false},
		{"DiscoveryJWKS", noWorkspace, map[string]verify.Status{verify.CheckJWKS: verify.Fail,
			verify.CheckHeaderKid: verify.Skip}, wif.FieldJWKSSource, verify.Fail, false},
		{"InlineJWKSIgnoresAuthentikJWKS", inline, map[string]verify.Status{verify.CheckJWKS: verify.Fail,
			verify.CheckHeaderKid: verify.Pass}, wif.FieldJWKSSource, verify.Pass, false},
		{"InlineJWKS", inline, map[string]verify.Status{verify.CheckHeaderKid: verify.Fail}, wif.FieldInlineJWKS, verify.Fail, false},
		{"NoInlineJWKS", noWorkspace, map[string]verify.Status{verify.CheckHeaderKid: verify.Fail}, wif.FieldInlineJWKS, "", true},
		{"RuleNameNeverVerified", noWorkspace, map[string]verify.Status{verify.CheckExchange: verify.Pass}, wif.FieldRuleName, "", true},
		{"EmptyTokenURLPassed", noWorkspace, map[string]verify.Status{verify.CheckTokenRequest: verify.Pass}, wif.FieldTokenURL, "", true},
		{"EmptyTokenURLFailed", noWorkspace, map[string]verify.Status{verify.CheckTokenRequest: verify.Fail}, wif.FieldTokenURL, verify.Fail, false},
		{"SecretRefNeverVerified", noWorkspace, map[string]verify.Status{verify.CheckTokenRequest: verify.Pass}, wif.FieldSecretRef, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := SettingVerdicts(tc.c, checks(tc.ran))[tc.field]
			if tc.absent {
				if ok {
					t.Errorf("%s: got %s, want no verdict", tc.field, got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.field, got, tc.want)
			}
		})
	}
}

// TestSettingVerdictsNamesAreFields: every key is a wif field name, so the web page can look
// them up by the same names as its form inputs.
func TestSettingVerdictsNamesAreFields(t *testing.T) {
	known := map[string]bool{}
	for _, f := range wif.Fields {
		known[f.Name] = true
	}
	for name := range SettingVerdicts(workspaceConnection(), passingRun().Checks) {
		if !known[name] {
			t.Errorf("verdict for %q, which is not a wif field", name)
		}
	}
	for name := range settingChecks {
		if !known[name] {
			t.Errorf("settingChecks maps %q, which is not a wif field", name)
		}
	}
}
