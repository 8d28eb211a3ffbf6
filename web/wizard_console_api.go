package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// The Console step's use of the Console's management API: reading a rule into the form,
// creating the Console side from a plan, taking the values a report read. The Console token is
// typed for one request and never echoed back, stored or logged.

func (s *Server) consoleAPIRoutes(e *echo.Echo) {
	base := "/connections/:id/wizard/4/console/"
	e.POST(base+"read", s.handleConsoleRead)
	e.POST(base+"use", s.handleConsoleUse)
	e.POST(base+"plan", s.handleConsolePlan)
	e.POST(base+"apply", s.handleConsoleApply)
	e.POST(base+"take", s.handleConsoleTake)
}

// consolePage renders the Console step with values and what edit adds.
func (s *Server) consolePage(c echo.Context, status int, conn *wif.Connection, values formValues, edit func(*views.ConsoleModel)) error {
	last, err := s.lastReport(c.Request().Context(), conn.ID)
	if err != nil {
		return err
	}
	if values == nil {
		values = s.consoleValues(conn, last)
	}
	m := views.StepModel{Frame: s.frame(conn, stepConsole, last), Values: values}
	return s.renderConsoleWith(c, status, conn, m, last, edit)
}

// userError is the message of an error the person can act on: a refusal the management API
// explained, a field it refused, an unusable token reference.
func userError(err error) (string, bool) {
	var se *actions.SecretError
	switch {
	case errors.As(err, &se):
		return se.Message, true
	case wif.ErrorCode(err) == wif.EINVALID || wif.ErrorCode(err) == wif.ECONFLICT:
		return err.Error(), true
	}
	return "", false
}

func (s *Server) handleConsoleRead(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	cat, err := s.app.ReadConsole(c.Request().Context(), *conn, actions.Credentials{ConsoleToken: strings.TrimSpace(c.FormValue("console_token"))})
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		return s.consolePage(c, http.StatusUnprocessableEntity, conn, nil, func(m *views.ConsoleModel) { m.ReadError = msg })
	}
	return s.holdResult(c, conn, stepConsole, consoleResult{catalog: catalogView(*conn, cat)}, "#console-read")
}

// consoleResult is a page an API action of the Console step led to, held for the GET its POST
// redirects to: what the Console returned and the values a rule fills in — never the token.
type consoleResult struct {
	catalog *views.Catalog
	values  formValues // "Use this rule": the form filled, not saved
	filled  string
	plan    *wif.Plan
	digest  string
	choices views.PlanChoices
}

// handleConsoleHeld shows a held result of the Console step's API actions; an expired one shows
// the step as stored, saying so.
func (s *Server) handleConsoleHeld(c echo.Context, conn *wif.Connection, key string) error {
	v, ok := s.held.get(conn.ID, actorOf(c), key, s.app.Now())
	r, _ := v.(consoleResult)
	if !ok {
		return s.consolePage(c, http.StatusOK, conn, nil, func(m *views.ConsoleModel) { m.Expired = true })
	}
	return s.consolePage(c, http.StatusOK, conn, r.values, func(m *views.ConsoleModel) {
		m.Catalog, m.Filled, m.Plan, m.PlanDigest, m.Choices = r.catalog, r.filled, r.plan, r.digest, r.choices
		m.Frame.Unsaved = r.values != nil
	})
}

// catalogView lists the issuers and rules read, each rule with the form values it fills in.
func catalogView(conn wif.Connection, cat actions.ConsoleCatalog) *views.Catalog {
	v := &views.Catalog{Organization: fmt.Sprintf("%s (%s)", cat.Organization.Name, cat.Organization.ID), IssuerURL: cat.IssuerURL, Others: cat.Others}
	for _, ci := range cat.Issuers {
		iv := views.CatalogIssuer{ID: ci.Issuer.ID, Name: ci.Issuer.Name, JWKS: ci.Issuer.JWKS.Type}
		for _, r := range ci.Rules {
			taken := conn
			taken.TakeConsole(cat.Organization.ID, &ci.Issuer, &r)
			values := stepValues(&taken, stepConsole)
			ws := strings.Join(r.Workspaces(), ", ")
			if r.AppliesToAllWorkspaces {
				ws = "all"
			}
			iv.Rules = append(iv.Rules, views.CatalogRule{ID: r.ID, Name: r.Name, Match: matchText(r.Match), Scope: r.OAuthScope,
				Lifetime: fmt.Sprintf("%d s", r.TokenLifetimeSeconds), Workspaces: ws, Values: values})
		}
		v.Issuers = append(v.Issuers, iv)
	}
	return v
}

func matchText(m wif.RuleMatch) string {
	var parts []string
	if m.SubjectPrefix != "" {
		parts = append(parts, "sub "+m.SubjectPrefix)
	}
	if m.Audience != "" {
		parts = append(parts, "aud "+m.Audience)
	}
	if len(m.Claims) > 0 {
		parts = append(parts, "claims "+strings.ReplaceAll(wif.FormatClaims(m.Claims), "\n", "; "))
	}
	if m.Condition != "" {
		parts = append(parts, "condition "+m.Condition)
	}
	return strings.Join(parts, " · ")
}

// handleConsoleUse fills the Console step with a rule's values, without saving: the person
// reviews them and saves as usual.
func (s *Server) handleConsoleUse(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	values := readForm(c, views.ConsoleFormFields...)
	values[wif.FieldInlineJWKS] = c.FormValue(wif.FieldInlineJWKS) // a document, kept as it came
	note := fmt.Sprintf("Filled in from the Console's rule %s (%s): review the values below and save.", values[wif.FieldRuleName], values[wif.FieldFederationRuleID])
	return s.holdResult(c, conn, stepConsole, consoleResult{values: values, filled: note}, "")
}

func planChoices(c echo.Context, prefix string) (actions.PlanChoices, views.PlanChoices) {
	ws, scope := strings.TrimSpace(c.FormValue(prefix+"_workspace_id")), c.FormValue(prefix+"_oauth_scope")
	return actions.PlanChoices{WorkspaceID: ws, OAuthScope: scope}, views.PlanChoices{WorkspaceID: ws, OAuthScope: scope}
}

func (s *Server) handleConsolePlan(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	choices, shown := planChoices(c, "plan")
	req := actions.PlanRequest{Connection: *conn, Side: wif.SideConsole, Choices: choices,
		Credentials: actions.Credentials{ConsoleToken: strings.TrimSpace(c.FormValue("plan_console_token"))}}
	return s.showPlan(c, conn, req, shown, "")
}

// showPlan plans and renders the plan with the form that applies it; note says why it is shown
// again.
func (s *Server) showPlan(c echo.Context, conn *wif.Connection, req actions.PlanRequest, shown views.PlanChoices, note string) error {
	plan, err := s.app.Plan(c.Request().Context(), req)
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		return s.consolePage(c, http.StatusUnprocessableEntity, conn, nil, func(m *views.ConsoleModel) { m.PlanError, m.Choices = msg, shown })
	}
	if note == "" {
		return s.holdResult(c, conn, stepConsole, consoleResult{plan: &plan, digest: actions.PlanDigest(plan), choices: shown}, "#console-create")
	}
	return s.consolePage(c, http.StatusConflict, conn, nil, func(m *views.ConsoleModel) {
		m.Plan, m.PlanDigest, m.Choices, m.PlanError = &plan, actions.PlanDigest(plan), shown, note
	})
}

// handleConsoleApply applies the plan the person saw (its digest), then shows the step again.
func (s *Server) handleConsoleApply(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	choices, shown := planChoices(c, "apply")
	req := actions.PlanRequest{Connection: *conn, Side: wif.SideConsole, Choices: choices, ExpectDigest: c.FormValue("plan_digest"),
		Credentials: actions.Credentials{ConsoleToken: strings.TrimSpace(c.FormValue("apply_console_token"))}}
	if req.ExpectDigest == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "no plan to apply: show the plan first")
	}
	done, err := s.app.Apply(c.Request().Context(), req, actorOf(c))
	switch {
	case wif.ErrorCode(err) == wif.ECONFLICT:
		req.ExpectDigest = ""
		return s.showPlan(c, conn, req, shown, err.Error())
	case err != nil:
		msg, ok := userError(err)
		if !ok {
			return err
		}
		return s.consolePage(c, http.StatusUnprocessableEntity, conn, nil, func(m *views.ConsoleModel) { m.PlanError, m.Choices = msg, shown })
	}
	return redirectTo(c, wizardPath(conn.ID, stepConsole), map[string][]string{"applied": {fmt.Sprint(done.Plan.Changes())}})
}

// handleConsoleTake records the Console's values the last report read.
func (s *Server) handleConsoleTake(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	saved, err := s.app.TakeConsoleValues(c.Request().Context(), *conn, actorOf(c))
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		return s.consolePage(c, http.StatusUnprocessableEntity, conn, nil, func(m *views.ConsoleModel) { m.TakeError = msg })
	}
	if !saved.OK() {
		msg := saved.Conflict
		for _, field := range slices.Sorted(maps.Keys(saved.Fields)) {
			msg += " " + field + ": " + saved.Fields[field]
		}
		return s.consolePage(c, http.StatusUnprocessableEntity, conn, nil, func(m *views.ConsoleModel) {
			m.TakeError = "The Console's values cannot be recorded as they are:" + msg
		})
	}
	return redirectTo(c, wizardPath(conn.ID, stepConsole), map[string][]string{"taken": {"1"}})
}

// consoleValues are the Console step's stored values, with what the last run observed where
// nothing is recorded: the sample token's sub and lifetimes that fit the token, never defaults
// that the report would then fail.
func (s *Server) consoleValues(conn *wif.Connection, last lastRun) formValues {
	v := stepValues(conn, stepConsole)
	p := actions.PrefillFrom(*conn, last.rep)
	if conn.SubjectPrefix == "" && p.SubjectPrefix != "" {
		v[wif.FieldSubjectPrefix] = p.SubjectPrefix
	}
	if conn.MaxIdentityTokenLifetime == 0 && p.MaxLifetime != 0 {
		v[wif.FieldMaxIdentityTokenLifetime] = secondsValue(p.MaxLifetime)
	}
	if conn.TokenLifetime == 0 && p.TokenLifetime != 0 {
		v[wif.FieldTokenLifetime] = secondsValue(p.TokenLifetime)
	}
	return v
}

// mismatchesOf are the recorded values that still differ from what the Console held when the last
// report read it.
func mismatchesOf(conn *wif.Connection, last lastRun) []views.Mismatch {
	if last.rep == nil {
		return nil
	}
	var out []views.Mismatch
	for _, d := range verify.OutstandingMismatches(*conn, last.rep.Console) {
		if d.Field == wif.FieldIssuerURL {
			continue
		}
		out = append(out, views.Mismatch{Label: d.Label, Recorded: d.Recorded, Console: d.Console})
	}
	return out
}

// consoleNotes are what the step says after a redirect: an apply's outcome, taken values.
func consoleNotes(c echo.Context, m *views.ConsoleModel) {
	if n, err := strconv.Atoi(c.QueryParam("applied")); err == nil && n >= 0 {
		m.Applied = fmt.Sprintf("Applied %d change(s) in the Console; every ID is recorded below. Save and verify to confirm.", n)
	}
	if c.QueryParam("taken") != "" {
		m.Filled = "The Console's values are recorded below. Save and verify to confirm."
	}
}
