package verify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// ConsoleObservation is what was read from the Console's management API for one verification.
// A nil pointer or an empty ID says it was not read, and the matching *Err field says why.
type ConsoleObservation struct {
	// Access is set when the management API refused the token or could not be reached; then
	// nothing else was read.
	Access *ConsoleAccessError

	Organization *wif.Organization // nil when /organizations/me did not answer
	Rule         *wif.ConsoleRule
	RuleErr      string // why Rule is nil
	RuleByName   bool   // the rule was found by its recorded name, not by its ID
	// RuleWorkspaces are the rule's explicit enablements as listed separately.
	RuleWorkspaces []wif.RuleWorkspace
	Issuer         *wif.ConsoleIssuer // the rule's issuer
	IssuerErr      string
	// IssuerForURL is the live issuer whose issuer_url is the connection's issuer URL; nil when
	// there is none or it was not looked up.
	IssuerForURL   *wif.ConsoleIssuer
	Account        *wif.ServiceAccount // the rule's target
	AccountErr     string
	Memberships    []wif.Membership // the target's workspace memberships
	MembershipsErr string

	// The issuer's key source fetched as Anthropic fetches it: for discovery, the discovery
	// document (KeyDiscovery) and its jwks_uri (KeyJWKS); for explicit_url, that URL (KeyJWKS).
	// Both nil for inline keys, or when KeyWhy says why nothing was fetched.
	KeyDiscovery *Fetch
	KeyJWKS      *Fetch
	KeyWhy       string
}

// ConsoleNoAnswer is the Kind of a ConsoleAccessError when the management API did not answer.
const ConsoleNoAnswer = "no answer"

// ConsoleAccessError is why the management API could not be used with the token given.
type ConsoleAccessError struct {
	Status  int    // HTTP status; 0 when refused before sending or when no answer came
	Kind    string // the management client's classification: unauthorized, forbidden, admin_key, …
	Message string // what happened, for a person
	Fix     string
}

// ConsoleDifference is one recorded value that is not what the Console holds. Recorded is ""
// when nothing was recorded (not a failure: the Console's value is used).
type ConsoleDifference struct {
	Field    string `json:"field"` // the wif field name, e.g. subject_prefix
	Label    string `json:"label"`
	Check    string `json:"check"` // console.issuer or console.rule
	Recorded string `json:"recorded"`
	Console  string `json:"console"`
}

// ConsoleState is what the Console held when a report was made: the objects read and how the
// recorded values differ from them. Drift compares two of them; the wizard takes values from it.
type ConsoleState struct {
	OrganizationID string              `json:"organization_id,omitempty"`
	Issuer         *wif.ConsoleIssuer  `json:"issuer,omitempty"`
	Rule           *wif.ConsoleRule    `json:"rule,omitempty"`
	ServiceAccount *wif.ServiceAccount `json:"service_account,omitempty"`
	Memberships    []wif.Membership    `json:"memberships,omitempty"`
	Differences    []ConsoleDifference `json:"differences,omitempty"`
}

// Mismatches are the differences with a recorded value: each fails console.issuer or console.rule.
func (s *ConsoleState) Mismatches() []ConsoleDifference {
	if s == nil {
		return nil
	}
	var out []ConsoleDifference
	for _, d := range s.Differences {
		if d.Recorded != "" {
			out = append(out, d)
		}
	}
	return out
}

// consoleRead is the Console as the checks use it.
type consoleRead struct {
	obs    *ConsoleObservation
	rule   *wif.ConsoleRule // with the separately listed workspaces merged in
	issuer *wif.ConsoleIssuer
	diffs  []ConsoleDifference
}

// readConsole keeps the recorded configuration and, when the Console was read, replaces the
// values the later checks use with the Console's: its rule's match block, token lifetime and
// scope, its issuer's maximum JWT lifetime and key source.
func (r *run) readConsole() {
	r.recorded = r.cfg
	o := r.obs.Console
	if o == nil || o.Access != nil {
		return
	}
	cr := &consoleRead{obs: o, issuer: o.Issuer}
	if o.Rule != nil {
		rule := *o.Rule
		for _, w := range o.RuleWorkspaces {
			if !slices.Contains(rule.WorkspaceIDs, w.WorkspaceID) {
				rule.WorkspaceIDs = append(slices.Clone(rule.WorkspaceIDs), w.WorkspaceID)
			}
		}
		cr.rule = &rule
		m := rule.Match
		r.cfg.SubjectPrefix, r.cfg.Audience, r.cfg.Claims, r.cfg.Condition = m.SubjectPrefix, m.Audience, m.Claims, m.Condition
		r.cfg.TokenLifetime, r.cfg.TokenLifetimeDefaulted = rule.TokenLifetime(), false
		r.cfg.OAuthScope, r.cfg.RuleName = rule.OAuthScope, rule.Name
	}
	if iss := o.Issuer; iss != nil {
		r.cfg.MaxIdentityTokenLifetime, r.cfg.MaxLifetimeDefaulted = iss.MaxJWTLifetime(), false
		r.cfg.JWKSSource, r.cfg.InlineJWKS = iss.JWKS.Type, nil
		if iss.JWKS.Type == wif.JWKSInline {
			r.cfg.InlineJWKS = inlineSet(iss.JWKS.Keys)
		}
	}
	r.console = cr
	cr.diffs = r.consoleDifferences()
}

// inlineSet is the Console's bare array of keys as the JWKS a connection records.
func inlineSet(keys json.RawMessage) []byte { return []byte(wif.InlineKeySet(keys)) }

// ruleFromConsole / issuerFromConsole say whether the later checks use the Console's values.
func (r *run) ruleFromConsole() bool   { return r.console != nil && r.console.rule != nil }
func (r *run) issuerFromConsole() bool { return r.console != nil && r.console.issuer != nil }

// readNote is appended to what a check expects when its values were read from the Console.
const readNote = " — read from the Console's API"

func (r *run) ruleNote() string {
	if r.ruleFromConsole() {
		return readNote
	}
	return ""
}

func (r *run) issuerNote() string {
	if r.issuerFromConsole() {
		return readNote
	}
	return ""
}

// consoleState is what the report keeps of the Console.
func (r *run) consoleState() *ConsoleState {
	if r.console == nil {
		return nil
	}
	o := r.console.obs
	s := &ConsoleState{Issuer: o.Issuer, Rule: r.console.rule, ServiceAccount: o.Account, Memberships: o.Memberships, Differences: r.console.diffs}
	if o.Organization != nil {
		s.OrganizationID = o.Organization.ID
	}
	return s
}

// consoleDifferences compares every recorded value with the Console's.
func (r *run) consoleDifferences() []ConsoleDifference {
	orgID := ""
	if org := r.console.obs.Organization; org != nil {
		orgID = org.ID
	}
	return differences(r.recorded, orgID, r.console.obs.Issuer, r.console.rule)
}

// OutstandingMismatches are the recorded values of c that still differ from what the Console
// held when s was read: taking the Console's values, or editing them, settles them.
func OutstandingMismatches(c wif.Connection, s *ConsoleState) []ConsoleDifference {
	if s == nil {
		return nil
	}
	cfg, err := ConfigFor(c, false)
	if err != nil {
		return s.Mismatches()
	}
	all := &ConsoleState{Differences: differences(cfg, s.OrganizationID, s.Issuer, s.Rule)}
	return all.Mismatches()
}

func differences(rec Config, orgID string, iss *wif.ConsoleIssuer, rule *wif.ConsoleRule) []ConsoleDifference {
	var out []ConsoleDifference
	add := func(check, field, label, recorded, console string) {
		if recorded != console {
			out = append(out, ConsoleDifference{Field: field, Label: label, Check: check, Recorded: recorded, Console: console})
		}
	}
	if iss != nil {
		add(CheckConsoleIssuer, wif.FieldIssuerID, "Federation issuer ID", rec.IssuerID, iss.ID)
		if iss.JWKS.Type != wif.JWKSExplicitURL { // a connection cannot record an explicit URL
			add(CheckConsoleIssuer, wif.FieldJWKSSource, "JWKS source", rec.JWKSSource, iss.JWKS.Type)
		}
		if rec.JWKSSource == wif.JWKSInline && iss.JWKS.Type == wif.JWKSInline {
			add(CheckConsoleIssuer, wif.FieldInlineJWKS, "Inline JWKS (key IDs)", kidList(rec.InlineJWKS), kidList(inlineSet(iss.JWKS.Keys)))
		}
		add(CheckConsoleIssuer, wif.FieldMaxIdentityTokenLifetime, "Maximum identity token lifetime", lifetimeText(rec.MaxIdentityTokenLifetime, rec.MaxLifetimeDefaulted), lifetimeText(iss.MaxJWTLifetime(), false))
	}
	if rule != nil {
		add(CheckConsoleRule, wif.FieldFederationRuleID, "Federation rule ID", rec.FederationRuleID, rule.ID)
		add(CheckConsoleRule, wif.FieldRuleName, "Rule name", rec.RuleName, rule.Name)
		add(CheckConsoleRule, wif.FieldSubjectPrefix, "Subject prefix", rec.SubjectPrefix, rule.Match.SubjectPrefix)
		add(CheckConsoleRule, wif.FieldAudience, "Audience", rec.Audience, rule.Match.Audience)
		add(CheckConsoleRule, wif.FieldClaims, "Claims matchers", wif.FormatClaims(rec.Claims), wif.FormatClaims(rule.Match.Claims))
		add(CheckConsoleRule, wif.FieldCondition, "CEL condition", rec.Condition, rule.Match.Condition)
		add(CheckConsoleRule, wif.FieldOAuthScope, "OAuth scope", rec.OAuthScope, rule.OAuthScope)
		add(CheckConsoleRule, wif.FieldTokenLifetime, "Token lifetime", lifetimeText(rec.TokenLifetime, rec.TokenLifetimeDefaulted), lifetimeText(rule.TokenLifetime(), false))
		add(CheckConsoleRule, wif.FieldServiceAccountID, "Service account ID", rec.ServiceAccountID, rule.Target.ServiceAccountID)
	}
	if orgID != "" {
		add(CheckConsoleRule, wif.FieldOrganizationID, "Organization ID", rec.OrganizationID, orgID)
	}
	return out
}

// lifetimeText shows a lifetime in seconds; "" when it was not recorded (a default).
func lifetimeText(d time.Duration, defaulted bool) string {
	if defaulted || d == 0 {
		return ""
	}
	return fmt.Sprintf("%d s", secs(d))
}

// kidList names the key IDs of a JWKS, sorted; "" when there is none or it is unreadable.
func kidList(jwks []byte) string {
	if len(jwks) == 0 {
		return ""
	}
	s, err := parseJWKS(jwks)
	if err != nil {
		return "(unreadable)"
	}
	kids := s.kids()
	slices.Sort(kids)
	return strings.Join(kids, ", ")
}

// mismatchesOf are the failing differences of one check, as sentences.
func (r *run) mismatchesOf(check string) []string {
	var out []string
	for _, d := range r.console.diffs {
		if d.Check != check || d.Recorded == "" || d.Field == wif.FieldServiceAccountID {
			continue
		}
		out = append(out, fmt.Sprintf("%s: recorded %s, the Console has %s", d.Label, shownValue(d.Recorded), shownValue(d.Console)))
	}
	return out
}

// unrecordedOf names what was not recorded but the Console holds: the checks use the Console's.
func (r *run) unrecordedOf(check string) []string {
	var out []string
	for _, d := range r.console.diffs {
		if d.Check == check && d.Recorded == "" && d.Console != "" {
			out = append(out, d.Label)
		}
	}
	return out
}

func shownValue(v string) string {
	if v == "" {
		return "none"
	}
	return quote(short(v))
}

// consoleSkip is the reason a console.* check did not run, or "" when it can run.
func (r *run) consoleSkip() string {
	o := r.obs.Console
	switch {
	case o == nil:
		return "No Console token was given, so the Console was not read: the checks use the recorded values. Give an OAuth access token with the org:admin scope to read the issuer, rule and service account through the Console's management API."
	case o.Access != nil:
		return "The Console could not be read: see console.access."
	}
	return ""
}

// exchangeWorkspace is the workspace an exchange would use: the recorded one, else the rule's
// only one when the rule does not require a name.
func (r *run) exchangeWorkspace() string {
	ws := r.recorded.WorkspaceID
	if ws != "" || r.console == nil || r.console.rule == nil {
		return ws
	}
	rule := r.console.rule
	if enabled := rule.Workspaces(); len(enabled) == 1 && !rule.WorkspaceRequired() {
		return enabled[0]
	}
	return ""
}
