package verify

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

const accessExpected = "the Console's management API accepts the token: an OAuth access token with the org:admin scope"

func (r *run) checkConsoleAccess() Check {
	o := r.obs.Console
	if o == nil {
		return skip(accessExpected, r.consoleSkip())
	}
	if a := o.Access; a != nil {
		fix := a.Fix
		if fix == "" {
			fix = "Print a fresh token with the org:admin scope: `ant auth print-credentials --access-token`."
		}
		return fail(accessExpected, accessActual(a), a.Message, fix)
	}
	actual := "accepted"
	if org := o.Organization; org != nil {
		actual += fmt.Sprintf(" for organization %q (%s)", short(org.Name), org.ID)
	}
	return pass(accessExpected, actual, "The management API accepted the token: the checks below use the Console's issuer, rule and service account as read through it, not the recorded copies.")
}

func accessActual(a *ConsoleAccessError) string {
	switch {
	case a.Status != 0:
		return fmt.Sprintf("HTTP %d (%s)", a.Status, clean(a.Kind))
	case a.Kind == ConsoleNoAnswer:
		return "no answer from the management API"
	}
	return "refused before anything was sent (" + clean(a.Kind) + ")"
}

// takeFix is the fix for recorded values that differ from the Console's.
const takeFix = "If the Console is right, take its values (the Console step's \"Take the Console's values\", or the same flags on the command line); if the recorded values are right, change the rule or issuer in the Console."

func (r *run) checkConsoleIssuer() Check {
	exp := fmt.Sprintf("a live federation issuer whose issuer_url is %s byte for byte and whose JWKS source serves the token's kid", quote(r.recorded.IssuerURL))
	if why := r.consoleSkip(); why != "" {
		return skip(exp, why)
	}
	o := r.console.obs
	iss := o.Issuer
	if iss == nil {
		if o.Rule == nil {
			return skip(exp, "No federation rule was read, so neither was its issuer: see console.rule.")
		}
		return fail(exp, "not read: "+clean(o.IssuerErr), fmt.Sprintf("The rule's issuer %s could not be read: %s.", o.Rule.IssuerID, strings.TrimSuffix(clean(o.IssuerErr), ".")),
			"Check the rule's issuer in the Console (Settings → Workload identity); a rule whose issuer is gone refuses every exchange.")
	}
	var found findings
	if iss.Archived() {
		found.add(fmt.Sprintf("The issuer %q (%s) is archived: every rule on it refuses exchanges.", short(iss.Name), iss.ID),
			"Create a live issuer for "+r.recorded.IssuerURL+" (in the Console, or `wifwiz apply --side console`) and a rule on it.")
	}
	if iss.IssuerURL != r.recorded.IssuerURL {
		d := compareIssuers(r.recorded.IssuerURL, iss.IssuerURL)
		found.add(fmt.Sprintf("The issuer's issuer_url %s differs from the connection's issuer URL %s: %s.", quote(iss.IssuerURL), quote(r.recorded.IssuerURL), d.whatVs("the Console's issuer_url", "the recorded issuer URL")),
			r.issuerURLFix(iss.IssuerURL))
	}
	kp, kf, note := r.keySource(iss)
	for i := range kp {
		found.add(kp[i], kf[i])
	}
	if m := r.mismatchesOf(CheckConsoleIssuer); len(m) > 0 {
		found.add("Recorded values differ from the Console's issuer — "+strings.Join(m, "; ")+".", takeFix)
	}
	actual := issuerActual(iss)
	if c, failed := found.failure(exp, actual); failed {
		return c
	}
	msg := fmt.Sprintf("The issuer %q (%s) is live and its issuer_url is the connection's. %s lifetime uses its max_jwt_lifetime_seconds (%d s)%s.",
		short(iss.Name), iss.ID, note, iss.MaxJWTLifetimeSeconds, jtiNote(iss.CheckJTI))
	if u := r.unrecordedOf(CheckConsoleIssuer); len(u) > 0 {
		msg += " Not recorded, taken from the Console: " + strings.Join(u, ", ") + "."
	}
	return pass(exp, actual, msg)
}

func jtiNote(check bool) string {
	if check {
		return "; check_jti is on: a token with a jti can be exchanged once"
	}
	return "; check_jti is off: a token can be exchanged more than once"
}

func issuerActual(iss *wif.ConsoleIssuer) string {
	src := iss.JWKS.Type
	switch iss.JWKS.Type {
	case wif.JWKSInline:
		src += " (" + orText(kidList(inlineSet(iss.JWKS.Keys)), "no keys") + ")"
	case wif.JWKSExplicitURL:
		src += " " + quote(short(iss.JWKS.URL))
	default:
		if iss.JWKS.DiscoveryBase != "" {
			src += " from " + quote(short(iss.JWKS.DiscoveryBase))
		}
	}
	state := ""
	if iss.Archived() {
		state = " (archived)"
	}
	return fmt.Sprintf("%s %q%s: issuer_url %q; jwks %s; max_jwt_lifetime_seconds %d; check_jti %v",
		iss.ID, short(iss.Name), state, short(iss.IssuerURL), src, iss.MaxJWTLifetimeSeconds, iss.CheckJTI)
}

func orNone(s string) string { return orText(s, "none") }

func orText(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// issuerURLFix says which side to change: the one the token's iss disagrees with.
func (r *run) issuerURLFix(console string) string {
	iss := r.glance.tokenIssuer
	switch {
	case iss == r.recorded.IssuerURL && iss != "":
		return fmt.Sprintf("The token's iss is the recorded URL: set the Console issuer's issuer_url to exactly %q.", iss)
	case iss == console && iss != "":
		return fmt.Sprintf("The token's iss is the Console's issuer_url: record %q as the connection's issuer URL.", iss)
	case iss != "":
		return fmt.Sprintf("The token's iss is %q: set both the Console issuer's issuer_url and the recorded issuer URL to it.", iss)
	}
	return "Make them equal byte for byte; a sample token's iss tells which one is right."
}

// keySource checks that the issuer's JWKS source can serve the token's kid, as Anthropic fetches
// it; note describes the source when it can.
func (r *run) keySource(iss *wif.ConsoleIssuer) (problems, fixes []string, note string) {
	switch iss.JWKS.Type {
	case wif.JWKSInline:
		s, err := parseJWKS(inlineSet(iss.JWKS.Keys))
		if err != nil || len(s.keys) == 0 {
			return []string{"The issuer's inline keys hold no key Anthropic can verify with."}, []string{inlineFix}, ""
		}
		return r.kidIn(s, "the issuer's inline keys", inlineFix)
	case wif.JWKSExplicitURL:
		problems, fixes = r.dialProblems("jwks.url", iss.JWKS.URL)
		p, f, note := r.fetchedKeys(r.console.obs.KeyJWKS, "the JWKS at "+iss.JWKS.URL)
		return append(problems, p...), append(fixes, f...), note
	}
	base := iss.JWKS.DiscoveryBase
	field := "jwks.discovery_base"
	if base == "" {
		base, field = iss.IssuerURL, "issuer_url"
	}
	problems, fixes = r.dialProblems(field, base)
	if d := r.console.obs.KeyDiscovery; d != nil && (d.Err != "" || d.Status != http.StatusOK) {
		return append(problems, fmt.Sprintf("Discovery at %s, where Anthropic reads the jwks_uri, did not answer 200 (%s).", d.URL, r.fetchOutcome(*d))),
			append(fixes, "Make discovery reachable there, or switch the issuer's JWKS source to inline keys."), ""
	}
	p, f, note := r.fetchedKeys(r.console.obs.KeyJWKS, "the JWKS discovery names")
	return append(problems, p...), append(fixes, f...), note
}

const inlineFix = "Add the provider's current key to the issuer's inline keys: `wifwiz apply --side console` adds it and keeps the old one until the tokens it signed expire; or paste the provider's JWKS into the issuer in the Console."

// kidIn checks the token's kid against keys Anthropic holds.
func (r *run) kidIn(s *keySet, where, fix string) (problems, fixes []string, note string) {
	kid := r.glance.tokenKid
	kids := strings.Join(quoteAll(s.kids()), ", ")
	switch {
	case kid == "":
		return nil, nil, fmt.Sprintf("Its JWKS source, %s, has %s (no token to compare a kid with).", where, kids)
	case s.find(kid) == nil:
		return []string{fmt.Sprintf("%s does not hold the token's kid %q (it has %s): Anthropic cannot verify the token's signature.", upperFirst(where), short(kid), kids)}, []string{fix}, ""
	}
	return nil, nil, fmt.Sprintf("Its JWKS source, %s, holds the token's kid %q.", where, short(kid))
}

// fetchedKeys judges a JWKS fetched from the issuer's key source.
func (r *run) fetchedKeys(f *Fetch, where string) (problems, fixes []string, note string) {
	fix := "Make the issuer's key source serve the provider's current key, or switch the issuer's JWKS source to inline keys (`wifwiz apply --side console`)."
	switch {
	case f == nil:
		why := r.console.obs.KeyWhy
		if why == "" {
			why = "it was not fetched"
		}
		return nil, nil, fmt.Sprintf("wifwiz could not check %s: %s.", where, strings.TrimSuffix(why, "."))
	case f.Err != "" || f.Status != http.StatusOK:
		return []string{fmt.Sprintf("%s (%s) did not answer 200: %s.", upperFirst(where), f.URL, r.fetchOutcome(*f))}, []string{fix}, ""
	}
	s, err := parseJWKS(f.Body)
	if err != nil || len(s.keys) == 0 {
		return []string{fmt.Sprintf("%s (%s) holds no key Anthropic can verify with.", upperFirst(where), f.URL)}, []string{fix}, ""
	}
	return r.kidIn(s, where+" ("+f.URL+")", fix)
}

// dialProblems: a URL Anthropic dials must be https on port 443 under a public DNS name.
func (r *run) dialProblems(field, raw string) (problems, fixes []string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{fmt.Sprintf("The issuer's %s %q is not an absolute URL.", field, raw)}, []string{"Correct it in the Console."}
	}
	whats := reachProblems(u)
	if iu, err := url.Parse(r.recorded.IssuerURL); err == nil && iu.Hostname() == u.Hostname() {
		whats = append(whats, r.privateHost(u)...)
	}
	if len(whats) == 0 {
		return nil, nil
	}
	return []string{fmt.Sprintf("Anthropic cannot fetch from the issuer's %s %s: %s.", field, raw, strings.Join(whats, "; "))},
		[]string{r.byKind("Publish authentik at https://<public DNS name>/ on port 443, or switch the issuer's JWKS source to inline keys (`wifwiz apply --side console` does, and keeps them current).",
			"Publish the issuer at https://<public DNS name>/ on port 443, or switch the issuer's JWKS source to inline keys.")}
}

// findings gathers what a console.* check found wrong, each problem with its fix; a fix that
// answers several problems is named once.
type findings struct{ problems, fixes []string }

func (f *findings) add(problem, fix string) {
	f.problems = append(f.problems, problem)
	if fix != "" && !slices.Contains(f.fixes, fix) {
		f.fixes = append(f.fixes, fix)
	}
}

// failure is the failing check naming every problem and fix; false when nothing was found.
func (f *findings) failure(expected, actual string) (Check, bool) {
	if len(f.problems) == 0 {
		return Check{}, false
	}
	return fail(expected, actual, strings.Join(f.problems, " "), strings.Join(f.fixes, " ")), true
}

const ruleExpected = "a live federation rule of that issuer, targeting the recorded service account, enabled for the workspace the exchange names; its match block and token lifetime are what the checks below use"

func (r *run) checkConsoleRule() Check {
	if why := r.consoleSkip(); why != "" {
		return skip(ruleExpected, why)
	}
	o, rule := r.console.obs, r.console.rule
	if rule == nil {
		if o.RuleErr == "" {
			return skip(ruleExpected, "No federation rule ID or rule name is recorded: pick the rule on the Console step, or give --federation-rule-id.")
		}
		return fail(ruleExpected, "not found", strings.TrimSuffix(clean(o.RuleErr), ".")+".",
			"Copy the rule's ID from the Console (Settings → Workload identity), or pick the rule on the Console step.")
	}
	var found findings
	if rule.Archived() {
		found.add(fmt.Sprintf("The rule %q (%s) is archived: it refuses every exchange.", short(rule.Name), rule.ID),
			"Create a live rule (in the Console, or `wifwiz apply --side console`) and record its ID.")
	}
	if f := o.IssuerForURL; f != nil && f.ID != rule.IssuerID {
		found.add(fmt.Sprintf("The rule belongs to issuer %s, not to %s (%q), the Console's issuer for %s.", rule.IssuerID, f.ID, short(f.Name), r.recorded.IssuerURL),
			"Use a rule of issuer "+f.ID+", or create one (`wifwiz apply --side console`).")
	}
	if sa := r.recorded.ServiceAccountID; sa != "" && sa != rule.Target.ServiceAccountID {
		found.add(fmt.Sprintf("The rule targets service account %s (%q), not the recorded %s: an exchange naming %s is refused.", rule.Target.ServiceAccountID, short(rule.Target.ServiceAccountName), sa, sa),
			fmt.Sprintf("Record %s as the service account ID, or point the rule at %s in the Console.", rule.Target.ServiceAccountID, sa))
	}
	if p, f := r.workspaceProblem(rule); p != "" {
		found.add(p, f)
	}
	if m := r.mismatchesOf(CheckConsoleRule); len(m) > 0 {
		found.add("Recorded values differ from the Console's rule — "+strings.Join(m, "; ")+".", takeFix)
	}
	actual := ruleActual(rule)
	if c, failed := found.failure(ruleExpected, actual); failed {
		return c
	}
	how := "by its ID"
	if o.RuleByName {
		how = "by its recorded name"
	}
	msg := fmt.Sprintf("The rule %q (%s), found %s, is live, belongs to the issuer and targets the recorded service account: claim.sub, claim.aud, rule.claims, rule.condition and rule.lifetime use its values.", short(rule.Name), rule.ID, how)
	if u := r.unrecordedOf(CheckConsoleRule); len(u) > 0 {
		msg += " Not recorded, taken from the Console: " + strings.Join(u, ", ") + "."
	}
	return pass(ruleExpected, actual, msg)
}

// workspaceProblem says why the exchange's workspace would be refused by the rule.
func (r *run) workspaceProblem(rule *wif.ConsoleRule) (string, string) {
	ws, enabled := r.recorded.WorkspaceID, rule.Workspaces()
	list := strings.Join(enabled, ", ")
	if rule.AppliesToAllWorkspaces {
		list = "all workspaces"
	}
	switch {
	case rule.Archived():
		return "", ""
	case ws == "" && rule.WorkspaceRequired():
		return fmt.Sprintf("The rule is enabled in %s, so an exchange must name its workspace, and no workspace ID is recorded.", orNone(list)),
			"Record the workspace ID the workload works in (one the rule is enabled in)."
	case ws == "" && len(enabled) == 0:
		return "The rule is enabled in no workspace: Anthropic refuses every exchange.", "Enable the rule in a workspace in the Console, and record that workspace ID."
	case ws != "" && !rule.EnabledIn(ws):
		return fmt.Sprintf("The rule is not enabled in the recorded workspace %s (it is enabled in %s).", ws, orNone(list)),
			fmt.Sprintf("Enable the rule in %s in the Console (or `wifwiz apply --side console --workspace-id %s`), or record one of its workspaces.", ws, ws)
	}
	return "", ""
}

func ruleActual(rule *wif.ConsoleRule) string {
	m := rule.Match
	var match []string
	if m.SubjectPrefix != "" {
		match = append(match, "subject_prefix "+quote(short(m.SubjectPrefix)))
	}
	if m.Audience != "" {
		match = append(match, "audience "+quote(short(m.Audience)))
	}
	if len(m.Claims) > 0 {
		match = append(match, "claims "+quote(short(strings.ReplaceAll(wif.FormatClaims(m.Claims), "\n", ", "))))
	}
	if m.Condition != "" {
		match = append(match, "condition "+quote(short(m.Condition)))
	}
	ws := strings.Join(rule.Workspaces(), ", ")
	if rule.AppliesToAllWorkspaces {
		ws = "all"
	}
	state := ""
	if rule.Archived() {
		state = " (archived)"
	}
	return fmt.Sprintf("%s %q%s: issuer %s; match {%s}; target %s; oauth_scope %q; token_lifetime_seconds %d; workspaces %s",
		rule.ID, short(rule.Name), state, rule.IssuerID, strings.Join(match, ", "), rule.Target.ServiceAccountID, rule.OAuthScope, rule.TokenLifetimeSeconds, orNone(ws))
}

const accountExpected = "the rule's service account is live, a member of the workspace the exchange uses, and its organization role allows the rule's scope"

func (r *run) checkConsoleAccount() Check {
	if why := r.consoleSkip(); why != "" {
		return skip(accountExpected, why)
	}
	o, rule := r.console.obs, r.console.rule
	if rule == nil {
		return skip(accountExpected, "No federation rule was read, so neither was its service account: see console.rule.")
	}
	a := o.Account
	if a == nil {
		return fail(accountExpected, "not read: "+clean(o.AccountErr), fmt.Sprintf("The rule's service account %s could not be read: %s.", rule.Target.ServiceAccountID, strings.TrimSuffix(clean(o.AccountErr), ".")),
			"Point the rule at a live service account in the Console.")
	}
	var found findings
	if a.Archived() {
		found.add(fmt.Sprintf("The service account %q (%s) is archived: Anthropic refuses every exchange as it.", short(a.Name), a.ID),
			"Create a live service account and point the rule at it (`wifwiz apply --side console` does both).")
	}
	ws := r.exchangeWorkspace()
	legacyOnly := o.Rule.WorkspaceID != "" && len(o.Rule.WorkspaceIDs) == 0 && len(o.RuleWorkspaces) == 0
	if ws != "" && !legacyOnly && o.MembershipsErr == "" && !wif.IsMember(o.Memberships, ws) {
		found.add(fmt.Sprintf("The service account is not a member of workspace %s, where the exchange works: Anthropic refuses it.", ws),
			fmt.Sprintf("Add %s to workspace %s (Console → Workspaces → Members, or `wifwiz apply --side console --workspace-id %s`).", a.ID, ws, ws))
	}
	if !a.AllowsScope(rule.OAuthScope) {
		found.add(fmt.Sprintf("The service account has the %s organization role, but the rule grants %q: only an admin service account can hold org:admin.", a.OrganizationRole, rule.OAuthScope),
			"Give the service account the admin role in the Console, or lower the rule's scope to workspace:developer or workspace:inference.")
	}
	actual := accountActual(a, o)
	if c, failed := found.failure(accountExpected, actual); failed {
		return c
	}
	msg := fmt.Sprintf("The service account %q (%s) is live and its %s role allows %q.", short(a.Name), a.ID, a.OrganizationRole, rule.OAuthScope)
	switch {
	case o.MembershipsErr != "":
		msg += " Its workspace memberships could not be read: " + strings.TrimSuffix(clean(o.MembershipsErr), ".") + "."
	case legacyOnly:
		msg += " The rule is enabled only through its legacy workspace, where Anthropic does not enforce membership."
	case ws != "":
		msg += " It is a member of workspace " + ws + "."
	}
	return pass(accountExpected, actual, msg)
}

func accountActual(a *wif.ServiceAccount, o *ConsoleObservation) string {
	var ms []string
	for _, m := range o.Memberships {
		s := m.WorkspaceID + " (" + m.WorkspaceRole
		if m.Implicit {
			s += ", implicit"
		}
		ms = append(ms, s+")")
	}
	state := ""
	if a.Archived() {
		state = " (archived)"
	}
	return fmt.Sprintf("%s %q%s: organization_role %s; member of %s", a.ID, short(a.Name), state, a.OrganizationRole, orNone(strings.Join(ms, ", ")))
}
