package workload

import (
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// settingChecks maps a recorded setting to the checks of docs/verification.md that verify it. Settings not
// listed (the names, the rule name, the secret reference) are not verified by any check.
var settingChecks = map[string][]string{
	wif.FieldAuthentikURL:             {verify.CheckDiscovery},
	wif.FieldAppSlug:                  {verify.CheckDiscovery},
	wif.FieldIssuerURL:                {verify.CheckIssuerURL, verify.CheckDiscoveryIssuer, verify.CheckClaimIss},
	wif.FieldDiscoveryBase:            {verify.CheckDiscovery},
	wif.FieldTokenURL:                 {verify.CheckTokenRequest},
	wif.FieldClientID:                 {verify.CheckTokenRequest},
	wif.FieldAccessTokenValidity:      {verify.CheckLifetime},
	wif.FieldSubjectMode:              {verify.CheckClaimSub},
	wif.FieldScope:                    {verify.CheckTokenRequest},
	wif.FieldTokenField:               {verify.CheckTokenFormat},
	wif.FieldCAPEM:                    {verify.CheckDiscovery},
	wif.FieldInlineJWKS:               {verify.CheckHeaderKid},
	wif.FieldSubjectPrefix:            {verify.CheckClaimSub},
	wif.FieldAudience:                 {verify.CheckClaimAud},
	wif.FieldOAuthScope:               {verify.CheckExchange},
	wif.FieldTokenLifetime:            {verify.CheckRuleLifetime},
	wif.FieldMaxIdentityTokenLifetime: {verify.CheckLifetime},
	wif.FieldServiceAccountID:         {verify.CheckConsoleIDs, verify.CheckExchange},
	wif.FieldFederationRuleID:         {verify.CheckConsoleIDs, verify.CheckExchange},
	wif.FieldOrganizationID:           {verify.CheckConsoleIDs, verify.CheckExchange},
	wif.FieldWorkspaceID:              {verify.CheckConsoleIDs, verify.CheckExchange},
	wif.FieldAnthropicBaseURL:         {verify.CheckExchange},
	wif.FieldClaims:                   {verify.CheckRuleClaims, verify.CheckConsoleRule},
	wif.FieldCondition:                {verify.CheckRuleCondition, verify.CheckConsoleRule},
	wif.FieldIssuerID:                 {verify.CheckConsoleIssuer},
}

// optionalSettings get no verdict when empty: nothing of theirs was used.
var optionalSettings = map[string]bool{
	wif.FieldCAPEM: true, wif.FieldInlineJWKS: true, wif.FieldWorkspaceID: true,
	wif.FieldClaims: true, wif.FieldCondition: true, wif.FieldIssuerID: true,
}

// SettingVerdicts says, for each setting of c (by wif field name) that the checks cover, how
// the run went: Fail if any of its checks failed, else Warn if any warned, else Skip if any was
// skipped, else Pass. Settings whose checks are not in the run are absent, and so is an empty
// setting unless its default failed or warned: a pass would vouch for a value nobody recorded.
func SettingVerdicts(c wif.Connection, checks []verify.Check) map[string]verify.Status {
	ran := make(map[string]verify.Status, len(checks))
	for _, ch := range checks {
		ran[ch.ID] = ch.Status
	}
	verdicts := map[string]verify.Status{}
	for _, f := range wif.Fields {
		if optionalSettings[f.Name] && f.Get(c) == "" {
			continue
		}
		s, ok := worst(ran, checksFor(c, f.Name))
		if ok && (f.Get(c) != "" || s == verify.Fail || s == verify.Warn) {
			verdicts[f.Name] = s
		}
	}
	return verdicts
}

// checksFor adds the checks that depend on how c is set up to settingChecks.
func checksFor(c wif.Connection, field string) []string {
	switch {
	case field == wif.FieldProviderName && c.SubjectMode == wif.SubUsername:
		return []string{verify.CheckClaimSub} // sub is ak-<provider name>-client_credentials
	case field == wif.FieldJWKSSource && c.JWKSSource == wif.JWKSInline:
		return []string{verify.CheckHeaderKid}
	case field == wif.FieldJWKSSource:
		return []string{verify.CheckJWKS, verify.CheckHeaderKid}
	}
	return settingChecks[field]
}

// severity orders verdicts from best to worst.
var severity = map[verify.Status]int{verify.Pass: 1, verify.Skip: 2, verify.Warn: 3, verify.Fail: 4}

func worst(ran map[string]verify.Status, ids []string) (verify.Status, bool) {
	var got verify.Status
	for _, id := range ids {
		if s, ok := ran[id]; ok && severity[s] > severity[got] {
			got = s
		}
	}
	return got, got != ""
}
