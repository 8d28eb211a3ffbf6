package actions

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Console object names in a plan.
const (
	objIssuer     = "federation issuer"
	objAccount    = "service account"
	objMembership = "workspace membership"
	objRule       = "federation rule"
)

// defaultWorkspace is the workspace every service account belongs to implicitly.
const defaultWorkspace = "default"

// consolePlan is the Console side of one connection: what it should hold, what it holds, and the
// steps between.
type consolePlan struct {
	api  ConsoleAPI
	conn wif.Connection
	org  wif.Organization

	issuer, haveIssuer *wif.ConsoleIssuer // wanted; existing (nil: create)
	account, haveAcct  *wif.ServiceAccount
	workspace, role    string
	member             bool // the account is already a member of workspace
	rule, haveRule     *wif.ConsoleRule
	enabled            bool // the existing rule is enabled in workspace

	steps []wif.PlanStep
}

// planConsole is the Console side of a plan: issuer, service account with its membership, rule.
func (s *Service) planConsole(ctx context.Context, r PlanRequest) ([]wif.PlanStep, error) {
	p, err := s.consolePlanFor(ctx, r)
	if err != nil {
		return nil, err
	}
	return p.steps, nil
}

// applyConsole carries out the Console side: it plans afresh, then creates or updates each object
// in order and records every ID and value on the connection.
func (s *Service) applyConsole(ctx context.Context, r PlanRequest) (Applied, error) {
	p, err := s.consolePlanFor(ctx, r)
	if err != nil {
		return Applied{}, err
	}
	out := Applied{Plan: wif.Plan{Connection: r.Connection.Name, Steps: p.steps}, Connection: r.Connection}
	if err := p.apply(ctx); err != nil {
		return out, consoleError(err)
	}
	p.record(&out.Connection)
	return out, nil
}

func (s *Service) consolePlanFor(ctx context.Context, r PlanRequest) (*consolePlan, error) {
	api, err := s.consoleAPI(r.Connection, r.Credentials)
	if err != nil {
		return nil, err
	}
	p := &consolePlan{api: api, conn: r.Connection}
	if p.org, err = api.Organization(ctx); err != nil {
		return nil, consoleError(err)
	}
	if err := s.wantConsole(ctx, p, r.Choices); err != nil {
		return nil, err
	}
	for _, step := range []func(context.Context) error{p.planIssuer, p.planAccount, p.planMembership, p.planRule} {
		if err := step(ctx); err != nil {
			return nil, consoleError(err)
		}
	}
	return p, nil
}

// wantConsole works out what the Console should hold for the connection, from what was
// observed: the sample token's sub and lifetime, the issuer's reachability and current keys.
func (s *Service) wantConsole(ctx context.Context, p *consolePlan, ch PlanChoices) error {
	c := p.conn
	last, err := s.LastRun(ctx, c.ID)
	if err != nil {
		return err
	}
	var rep *verify.Report
	if last != nil {
		rep = &last.Report
	}
	sub := PrefillFrom(c, rep).SubjectPrefix
	if sub == "" {
		sub = c.SubjectPrefix
	}
	if sub == "" {
		return wif.Errorf(wif.EINVALID, "Request a sample token first (the wizard's step 3, or `wifwiz check --save`): the rule's subject prefix is the token's exact sub.")
	}
	issuerURL := wif.EffectiveIssuerURL(c)
	if issuerURL == "" || c.ClientID == "" {
		return wif.Errorf(wif.EINVALID, "Record the issuer URL and the client ID first: the Console's issuer and rule are made from them.")
	}
	p.issuer = &wif.ConsoleIssuer{Name: consoleName(c.IssuerName, "authentik-"+c.AppSlug), IssuerURL: issuerURL,
		MaxJWTLifetimeSeconds: secondsOf(maxJWTLifetime(c, rep)), CheckJTI: true}
	if publicIssuer(issuerURL, rep) {
		p.issuer.JWKS = wif.ConsoleJWKS{Type: wif.JWKSDiscovery}
	} else if err := s.inlineKeys(ctx, p); err != nil {
		return err
	}
	name := consoleName(c.RuleName, c.Name)
	p.account = &wif.ServiceAccount{Name: name, OrganizationRole: wif.RoleDeveloper}
	p.workspace = cmp.Or(ch.WorkspaceID, c.WorkspaceID, defaultWorkspace)
	p.role = wif.WorkspaceRoleDeveloper
	lifetime := cmp.Or(time.Duration(ch.TokenLifetime)*time.Second, c.TokenLifetime, wif.DefaultLifetime)
	p.rule = &wif.ConsoleRule{Name: name, OAuthScope: cmp.Or(ch.OAuthScope, wif.ScopeWorkspaceInference), TokenLifetimeSeconds: secondsOf(lifetime),
		Match: wif.RuleMatch{SubjectPrefix: sub, Audience: c.ClientID, Claims: c.Claims, Condition: c.Condition}, WorkspaceID: p.workspace}
	if !wif.OAuthCallerMayWrite(p.rule.OAuthScope) {
		return wif.Errorf(wif.EINVALID, "An OAuth token may create rules with the workspace:developer or workspace:inference scope only; %q needs a Console session.", p.rule.OAuthScope)
	}
	return nil
}

// inlineKeys takes the provider's published keys for an issuer Anthropic cannot fetch from.
func (s *Service) inlineKeys(ctx context.Context, p *consolePlan) error {
	jwks, err := s.verifier.CurrentJWKS(ctx, p.conn)
	if err != nil {
		return wif.Errorf(wif.EINVALID, "The issuer is not reachable for Anthropic, so its keys go inline, but wifwiz could not read them (%v): check the issuer URL and the CA certificate on the provider step and that authentik answers, then plan again.", err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal([]byte(jwks), &set); err != nil || len(set.Keys) == 0 {
		return wif.Errorf(wif.EINVALID, "The provider publishes no signing key to put inline: select a Signing Key on the provider in authentik.")
	}
	keys, _ := json.Marshal(set.Keys)
	p.issuer.JWKS = wif.ConsoleJWKS{Type: wif.JWKSInline, Keys: keys}
	return nil
}

// publicIssuer: Anthropic can fetch discovery from an https issuer on port 443 under a DNS name
// that resolves only to public addresses — as the last run's issuer.url and issuer.public found.
func publicIssuer(issuerURL string, rep *verify.Report) bool {
	u, err := url.Parse(issuerURL)
	if err != nil || u.Scheme != "https" || u.Port() != "" && u.Port() != "443" || rep == nil {
		return false
	}
	passed := 0
	for _, c := range rep.Checks {
		if (c.ID == verify.CheckIssuerURL || c.ID == verify.CheckIssuerPublic) && c.Status == verify.Pass {
			passed++
		}
	}
	return passed == 2
}

// maxJWTLifetime covers authentik's token validity and the lifetime of the last token seen.
func maxJWTLifetime(c wif.Connection, rep *verify.Report) time.Duration {
	validity, _ := wif.ParseValidity(c.AccessTokenValidity)
	var life time.Duration
	if rep != nil && rep.Token != nil {
		life, _ = rep.Token.Lifetime()
	}
	if validity == 0 && life == 0 {
		return cmp.Or(c.MaxIdentityTokenLifetime, wif.DefaultLifetime)
	}
	m, _ := wif.SuggestedLifetimes(max(life, time.Second), validity)
	return m
}

// consoleName fits a name to the Console's pattern: lowercase letters, digits and '-'.
func consoleName(name, fallback string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 255 {
		out = strings.Trim(out[:255], "-")
	}
	if out == "" && fallback != "" {
		return consoleName(fallback, "wifwiz")
	}
	return out
}

// planIssuer finds the issuer (by recorded ID, then by issuer URL — one per URL — then by name)
// and plans what differs. Inline keys are kept current: a key the provider now publishes is
// added, the old ones are kept for the tokens they signed.
func (p *consolePlan) planIssuer(ctx context.Context) error {
	all, err := p.api.Issuers(ctx)
	if err != nil {
		return err
	}
	find := func(match func(wif.ConsoleIssuer) bool) *wif.ConsoleIssuer {
		if i := slices.IndexFunc(all, match); i >= 0 {
			return &all[i]
		}
		return nil
	}
	have := find(func(i wif.ConsoleIssuer) bool { return p.conn.IssuerID != "" && i.ID == p.conn.IssuerID })
	if have == nil {
		have = find(func(i wif.ConsoleIssuer) bool { return i.IssuerURL == p.issuer.IssuerURL })
	}
	if have == nil {
		have = find(func(i wif.ConsoleIssuer) bool { return i.Name == p.issuer.Name })
	}
	want := p.issuer
	if have == nil {
		p.add(objIssuer, want.Name, "", wif.PlanCreate, issuerFields(nil, want), "")
		return nil
	}
	p.haveIssuer = have
	want.ID, want.Name = have.ID, have.Name
	note := p.keepKeySource(have)
	if have.MaxJWTLifetimeSeconds > want.MaxJWTLifetimeSeconds {
		want.MaxJWTLifetimeSeconds = have.MaxJWTLifetimeSeconds // a larger maximum already covers the tokens
	}
	fields := issuerFields(have, want)
	p.add(objIssuer, have.Name, have.ID, action(fields), fields, note)
	return nil
}

// keepKeySource keeps the existing issuer's key source unless Anthropic cannot fetch through it;
// inline keys gain the provider's new keys and keep the old ones.
func (p *consolePlan) keepKeySource(have *wif.ConsoleIssuer) string {
	want := p.issuer
	switch {
	case have.JWKS.Type == wif.JWKSInline && want.JWKS.Type == wif.JWKSInline:
		merged, kept := mergeKeys(have.JWKS.Keys, want.JWKS.Keys)
		want.JWKS.Keys = merged
		if len(kept) > 0 && keyKids(merged) != keyKids(have.JWKS.Keys) {
			return fmt.Sprintf("The old key(s) %s stay until the tokens they signed have expired (at most max_jwt_lifetime_seconds after authentik stopped signing with them); remove them in the Console after that.", strings.Join(kept, ", "))
		}
	case have.JWKS.Type == wif.JWKSInline:
		want.JWKS = have.JWKS // the issuer became public; its inline keys still work
	case want.JWKS.Type == wif.JWKSDiscovery:
		want.JWKS = have.JWKS
	}
	return ""
}

// mergeKeys adds to have the keys of current whose kid it lacks; kept are have's kids current
// no longer publishes.
func mergeKeys(have, current json.RawMessage) (json.RawMessage, []string) {
	var h, c []json.RawMessage
	_ = json.Unmarshal(have, &h)
	_ = json.Unmarshal(current, &c)
	kids := map[string]bool{}
	for _, k := range c {
		kids[kidOf(k)] = true
	}
	var kept []string
	for _, k := range h {
		if !kids[kidOf(k)] {
			kept = append(kept, kidOf(k))
		}
	}
	out := slices.Clone(h)
	for _, k := range c {
		if !slices.ContainsFunc(h, func(x json.RawMessage) bool { return kidOf(x) == kidOf(k) }) {
			out = append(out, k)
		}
	}
	merged, _ := json.Marshal(out)
	return merged, kept
}

func kidOf(k json.RawMessage) string {
	var v struct {
		Kid string `json:"kid"`
	}
	_ = json.Unmarshal(k, &v)
	return v.Kid
}

// keyKids names the kids of an array of keys, in order.
func keyKids(keys json.RawMessage) string {
	var ks []json.RawMessage
	_ = json.Unmarshal(keys, &ks)
	kids := make([]string, len(ks))
	for i, k := range ks {
		kids[i] = kidOf(k)
	}
	return strings.Join(kids, ", ")
}

func issuerFields(have, want *wif.ConsoleIssuer) []wif.PlanField {
	var cur wif.ConsoleIssuer
	if have != nil {
		cur = *have
	}
	fields := []wif.PlanField{
		{Name: "issuer_url", Current: cur.IssuerURL, Wanted: want.IssuerURL},
		{Name: "jwks.type", Current: cur.JWKS.Type, Wanted: want.JWKS.Type},
	}
	if want.JWKS.Type == wif.JWKSInline {
		fields = append(fields, wif.PlanField{Name: "jwks.keys (kid)", Current: keyKids(cur.JWKS.Keys), Wanted: keyKids(want.JWKS.Keys)})
	}
	fields = append(fields, wif.PlanField{Name: "max_jwt_lifetime_seconds", Current: intText(cur.MaxJWTLifetimeSeconds), Wanted: intText(want.MaxJWTLifetimeSeconds)})
	if have == nil {
		return append([]wif.PlanField{{Name: "name", Wanted: want.Name}}, fields...)
	}
	return changed(fields)
}

// planAccount finds the service account (by recorded ID, then by name); one that exists is used
// as it is.
func (p *consolePlan) planAccount(ctx context.Context) error {
	if id := p.conn.ServiceAccountID; id != "" {
		if a, err := p.api.ServiceAccount(ctx, id); err == nil && !a.Archived() {
			p.haveAcct = &a
		}
	}
	if p.haveAcct == nil {
		all, err := p.api.ServiceAccounts(ctx)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(all, func(a wif.ServiceAccount) bool { return a.Name == p.account.Name }); i >= 0 {
			p.haveAcct = &all[i]
		}
	}
	if p.haveAcct == nil {
		p.add(objAccount, p.account.Name, "", wif.PlanCreate, []wif.PlanField{{Name: "name", Wanted: p.account.Name},
			{Name: "organization_role", Wanted: p.account.OrganizationRole}}, "")
		return nil
	}
	p.account = p.haveAcct
	p.add(objAccount, p.account.Name, p.account.ID, wif.PlanKeep, nil, "")
	return nil
}

// planMembership: the account must be a member of the rule's workspace (of the default one it
// always is).
func (p *consolePlan) planMembership(ctx context.Context) error {
	name := p.account.Name + " in " + p.workspace
	if p.workspace == defaultWorkspace {
		p.member = true
		p.add(objMembership, name, "", wif.PlanKeep, nil, "Every service account is a member of the default workspace.")
		return nil
	}
	if p.haveAcct != nil {
		ms, err := p.api.Memberships(ctx, p.haveAcct.ID)
		if err != nil {
			return err
		}
		p.member = wif.IsMember(ms, p.workspace)
	}
	if p.member {
		p.add(objMembership, name, "", wif.PlanKeep, nil, "")
		return nil
	}
	p.add(objMembership, name, "", wif.PlanCreate, []wif.PlanField{{Name: "workspace_id", Wanted: p.workspace},
		{Name: "workspace_role", Wanted: p.role}}, "")
	return nil
}

// planRule finds the rule (by recorded ID, then by name among the issuer's rules) and plans what
// differs; a rule of another issuer cannot be moved, since issuer_id never changes.
func (p *consolePlan) planRule(ctx context.Context) error {
	if err := p.findRule(ctx); err != nil {
		return err
	}
	want := p.rule
	if p.haveRule == nil {
		p.add(objRule, want.Name, "", wif.PlanCreate, ruleFields(nil, want, p.account.ID, p.account.Name, p.issuer.Name), "")
		return nil
	}
	have := p.haveRule
	if p.haveIssuer == nil || have.IssuerID != p.haveIssuer.ID {
		return wif.Errorf(wif.EINVALID, "The rule %q (%s) belongs to issuer %s, not to the issuer for %s: a rule's issuer cannot change. Archive it in the Console, or record another rule name.",
			have.Name, have.ID, have.IssuerID, p.issuer.IssuerURL)
	}
	if !wif.OAuthCallerMayWrite(have.OAuthScope) {
		return wif.Errorf(wif.EINVALID, "The rule %q grants %q, which only a Console session may change: change it in the Console, or record another rule name.", have.Name, have.OAuthScope)
	}
	want.ID, want.Name = have.ID, have.Name
	fields := ruleFields(have, want, p.account.ID, p.account.Name, p.issuer.Name)
	ws, err := p.api.RuleWorkspaces(ctx, have.ID)
	if err != nil {
		return err
	}
	enabled := slices.Clone(have.Workspaces())
	for _, w := range ws {
		enabled = appendMissing(enabled, w.WorkspaceID)
	}
	p.enabled = have.AppliesToAllWorkspaces || slices.Contains(enabled, p.workspace)
	if !p.enabled {
		fields = append(fields, wif.PlanField{Name: "workspaces", Current: strings.Join(enabled, ", "), Wanted: strings.Join(append(enabled, p.workspace), ", ")})
	}
	p.add(objRule, have.Name, have.ID, action(fields), fields, "")
	return nil
}

func (p *consolePlan) findRule(ctx context.Context) error {
	if id := p.conn.FederationRuleID; id != "" {
		if r, err := p.api.Rule(ctx, id); err == nil && !r.Archived() {
			p.haveRule = &r
			return nil
		}
	}
	if p.haveIssuer == nil {
		return nil
	}
	rules, err := p.api.Rules(ctx, p.haveIssuer.ID)
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(rules, func(r wif.ConsoleRule) bool { return r.Name == p.rule.Name }); i >= 0 {
		p.haveRule = &rules[i]
	}
	return nil
}

// ruleFields compares a rule with the wanted one; accountID is "" while the service account is
// still to be created.
func ruleFields(have, want *wif.ConsoleRule, accountID, accountName, issuerName string) []wif.PlanField {
	var cur wif.ConsoleRule
	if have != nil {
		cur = *have
	}
	fields := []wif.PlanField{
		{Name: "match.subject_prefix", Current: cur.Match.SubjectPrefix, Wanted: want.Match.SubjectPrefix},
		{Name: "match.audience", Current: cur.Match.Audience, Wanted: want.Match.Audience},
		{Name: "match.claims", Current: oneLineClaims(cur.Match.Claims), Wanted: oneLineClaims(want.Match.Claims)},
		{Name: "match.condition", Current: cur.Match.Condition, Wanted: want.Match.Condition},
		{Name: "oauth_scope", Current: cur.OAuthScope, Wanted: want.OAuthScope},
		{Name: "token_lifetime_seconds", Current: intText(cur.TokenLifetimeSeconds), Wanted: intText(want.TokenLifetimeSeconds)},
	}
	if have == nil {
		return append([]wif.PlanField{{Name: "name", Wanted: want.Name}, {Name: "issuer", Wanted: issuerName},
			{Name: "target", Wanted: "service account " + accountName}, {Name: "workspace_id", Wanted: want.WorkspaceID}}, nonEmpty(fields)...)
	}
	target := accountID
	if target == "" {
		target = "the new service account " + accountName
	}
	fields = append(fields, wif.PlanField{Name: "target.service_account_id", Current: cur.Target.ServiceAccountID, Wanted: target})
	return changed(fields)
}

func oneLineClaims(m map[string]string) string {
	return strings.ReplaceAll(wif.FormatClaims(m), "\n", "; ")
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

func changed(fields []wif.PlanField) []wif.PlanField {
	return slices.DeleteFunc(fields, func(f wif.PlanField) bool { return f.Current == f.Wanted })
}

func nonEmpty(fields []wif.PlanField) []wif.PlanField {
	return slices.DeleteFunc(fields, func(f wif.PlanField) bool { return f.Wanted == "" })
}

func action(fields []wif.PlanField) wif.PlanAction {
	if len(fields) == 0 {
		return wif.PlanKeep
	}
	return wif.PlanUpdate
}

func appendMissing(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func (p *consolePlan) add(object, name, id string, act wif.PlanAction, fields []wif.PlanField, note string) {
	p.steps = append(p.steps, wif.PlanStep{Side: wif.SideConsole, Object: object, Name: name, ID: id, Action: act, Fields: fields, Note: note})
}

// step is the planned step for an object.
func (p *consolePlan) step(object string) wif.PlanStep {
	for _, s := range p.steps {
		if s.Object == object {
			return s
		}
	}
	return wif.PlanStep{}
}

// apply carries out the steps in order: each later object needs the IDs of the earlier ones.
func (p *consolePlan) apply(ctx context.Context) error {
	for _, do := range []func(context.Context) error{p.applyIssuer, p.applyAccount, p.applyMembership, p.applyRule} {
		if err := do(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (p *consolePlan) applyIssuer(ctx context.Context) error {
	var (
		iss wif.ConsoleIssuer
		err error
	)
	switch p.step(objIssuer).Action {
	case wif.PlanCreate:
		iss, err = p.api.CreateIssuer(ctx, *p.issuer)
	case wif.PlanUpdate:
		iss, err = p.api.UpdateIssuer(ctx, p.haveIssuer.ID, *p.issuer)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("the federation issuer: %w", err)
	}
	p.issuer, p.haveIssuer = &iss, &iss
	return nil
}

func (p *consolePlan) applyAccount(ctx context.Context) error {
	if p.step(objAccount).Action != wif.PlanCreate {
		return nil
	}
	a, err := p.api.CreateServiceAccount(ctx, *p.account)
	if err != nil {
		return fmt.Errorf("the service account: %w", err)
	}
	p.account, p.haveAcct = &a, &a
	return nil
}

func (p *consolePlan) applyMembership(ctx context.Context) error {
	if p.member {
		return nil
	}
	_, err := p.api.AddMembership(ctx, wif.Membership{ServiceAccountID: p.account.ID, WorkspaceID: p.workspace, WorkspaceRole: p.role})
	if err != nil {
		return fmt.Errorf("the workspace membership: %w", err)
	}
	p.member = true
	return nil
}

func (p *consolePlan) applyRule(ctx context.Context) error {
	p.rule.IssuerID = p.haveIssuer.ID
	p.rule.Target = wif.RuleTarget{Type: wif.TargetServiceAccount, ServiceAccountID: p.account.ID}
	var (
		r   wif.ConsoleRule
		err error
	)
	switch {
	case p.haveRule == nil:
		r, err = p.api.CreateRule(ctx, *p.rule)
	case p.step(objRule).Action == wif.PlanUpdate && !onlyWorkspaces(p.step(objRule)):
		r, err = p.api.UpdateRule(ctx, p.haveRule.ID, *p.rule)
	default:
		r = *p.haveRule
	}
	if err != nil {
		return fmt.Errorf("the federation rule: %w", err)
	}
	if p.haveRule != nil && !p.enabled {
		if err := p.api.EnableRuleInWorkspace(ctx, r.ID, p.workspace); err != nil {
			return fmt.Errorf("enabling the federation rule in %s: %w", p.workspace, err)
		}
	}
	p.rule = &r
	return nil
}

func onlyWorkspaces(s wif.PlanStep) bool {
	return len(s.Fields) == 1 && s.Fields[0].Name == "workspaces"
}

// record puts every ID and value the Console now holds on the connection.
func (p *consolePlan) record(c *wif.Connection) {
	rule := *p.rule
	rule.WorkspaceIDs = []string{p.workspace}
	c.TakeConsole(p.org.ID, p.issuer, &rule)
	c.WorkspaceID = p.workspace
}
