package verify

import (
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

const idsExpected = "federation rule ID fdrl_…, service account ID svac_…, organization ID a UUID, workspace ID wrkspc_… or default (optional)"

// consoleID is one ID the exchange sends, with the validator wif keeps for it.
type consoleID struct {
	field    string
	value    string
	problem  func(string) string
	optional bool
}

func (r *run) consoleIDs() []consoleID {
	return []consoleID{
		{wif.FieldFederationRuleID, r.cfg.FederationRuleID, wif.FederationRuleIDProblem, false},
		{wif.FieldServiceAccountID, r.cfg.ServiceAccountID, wif.ServiceAccountIDProblem, false},
		{wif.FieldOrganizationID, r.cfg.OrganizationID, wif.OrganizationIDProblem, false},
		{wif.FieldWorkspaceID, r.cfg.WorkspaceID, wif.WorkspaceIDProblem, true},
	}
}

func (r *run) checkIDs() Check {
	var actual, problems, missing []string
	for _, id := range r.consoleIDs() {
		p := id.problem(id.value)
		actual = append(actual, id.field+"="+shownID(id.value))
		switch {
		case p != "":
			problems = append(problems, p)
		case id.value == "" && !id.optional:
			missing = append(missing, id.field)
		}
	}
	act := strings.Join(actual, ", ")
	if len(problems) > 0 {
		return fail(idsExpected, act, fmt.Sprintf("%d Console ID(s) are malformed.", len(problems)), strings.Join(problems, " "))
	}
	if len(missing) == 0 {
		return pass(idsExpected, act, "The Console IDs have the right shape; only the exchange can tell whether they exist.")
	}
	msg := "Not recorded yet: " + strings.Join(missing, ", ") + "."
	if r.cfg.RequireIDs {
		return fail(idsExpected, act, msg, "Copy the missing IDs from the Console (the rule's page, Service accounts, Settings → Organization) and pass them with --federation-rule-id, --service-account-id, --organization-id.")
	}
	return skip(idsExpected, msg+" They are needed for the exchange; the Console shows them after saving the rule.")
}

// shownID is how the report shows an ID; a pasted key is never shown.
func shownID(v string) string {
	switch {
	case v == "":
		return "(none)"
	case wif.LooksLikeAPIKey(v):
		return "(a pasted key, not shown)"
	}
	return fmt.Sprintf("%q", v)
}
