package verify

import "github.com/wifwiz/wifwiz/wif"

// connectionFixture is a stored connection whose issuer must be derived.
func connectionFixture() wif.Connection {
	return wif.Connection{
		Name: "ci-prod", AuthentikURL: "https://auth.example.com", AppSlug: "claude-ci",
		ClientID: testClientID, AccessTokenValidity: "hours=1;minutes=30", JWKSSource: "discovery",
		SubjectPrefix: testSub, Audience: testClientID,
		FederationRuleID: "fdrl_01abc", OrganizationID: "0d3b1c2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ServiceAccountID: "svac_01abc",
	}
}
